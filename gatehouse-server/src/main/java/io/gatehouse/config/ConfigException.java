package io.gatehouse.config;

/** A configuration problem found at start; the message names the key and how to fix it. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
