package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.store.StoreException;

/**
 * The refusal for a credential check that failed: a database that could not answer (a {@link
 * StoreException} anywhere in the chain) is BACKEND_UNAVAILABLE, which tells the client to back off
 * and retry rather than to log in again; anything else is as {@link RefusalException#refusalOf}.
 */
final class StoreRefusals {
    private StoreRefusals() {}

    static Refusal refusalOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StoreException) {
                return RefusalCode.BACKEND_UNAVAILABLE.refusal("The database is unavailable; retry later");
            }
        }
        return RefusalException.refusalOf(failure);
    }
}
