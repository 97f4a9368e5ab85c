package io.gatehouse.api;

import java.util.Map;

/** The values of {@code {name}} segments of a matched route template. */
public record PathParameters(Map<String, String> values) {
    public String get(String name) {
        return values.get(name);
    }
}
