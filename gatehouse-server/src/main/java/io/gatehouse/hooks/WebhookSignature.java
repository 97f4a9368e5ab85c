package io.gatehouse.hooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Gatehouse-Signature} header of a webhook delivery and of a channel proxy call
 * (docs/webhooks.md): {@code t=UNIX,v1=HEX(HMAC-SHA256(secret, t + "." + body))}, with {@code t}
 * the sending time in whole seconds, so a receiver can refuse a replayed delivery by its age.
 * During a secret rotation there is one {@code v1=} per secret, the current one first: a receiver
 * accepts the request when any of them matches a secret it knows.
 */
public final class WebhookSignature {
    public static final String HEADER = "Gatehouse-Signature";

    private WebhookSignature() {}

    /** The header value for {@code body} sent at {@code unixSeconds}, signed with {@code secret}. */
    public static String header(String secret, long unixSeconds, String body) {
        return "t=" + unixSeconds + ",v1=" + v1(secret, unixSeconds, body);
    }

    /** The header value signed with each of {@code secrets}, in their order: {@code t=UNIX,v1=A,v1=B}. */
    public static String header(java.util.List<String> secrets, long unixSeconds, String body) {
        StringBuilder h = new StringBuilder("t=").append(unixSeconds);
        for (String secret : secrets) {
            h.append(",v1=").append(v1(secret, unixSeconds, body));
        }
        return h.toString();
    }

    /** The hex HMAC-SHA256 of {@code t + "." + body} under {@code secret} (UTF-8 both). */
    public static String v1(String secret, long unixSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
