package io.gatehouse.api;

import java.util.concurrent.CompletionStage;

/** One endpoint of the HTTP API. It may throw {@link io.gatehouse.protocol.RefusalException} for bad input. */
@FunctionalInterface
public interface Route {
    CompletionStage<ApiResponse> handle(ApiRequest request, PathParameters path);
}
