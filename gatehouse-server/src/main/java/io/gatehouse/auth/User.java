package io.gatehouse.auth;

import java.util.List;

/** Who a connection or request is: {@code {id, name, roles}} everywhere in the protocol. */
public record User(String id, String name, List<String> roles) {
    public static final String ADMIN_ROLE = "admin";

    public User {
        roles = List.copyOf(roles);
        name = name == null || name.isEmpty() ? id : name;
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN_ROLE);
    }
}
