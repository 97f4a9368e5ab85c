package io.gatehouse.protocol;

import java.util.List;

/** The user as {@code connection_established} shows it: {@code {id, name, roles}}. */
public record UserInfo(String id, String name, List<String> roles) {
    public UserInfo {
        roles = List.copyOf(roles);
    }
}
