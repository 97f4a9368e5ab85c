package io.gatehouse.auth;

import io.gatehouse.protocol.UserInfo;
import java.util.List;

/** Who a connection or request is: {@code {id, name, roles}} everywhere in the protocol. */
public record User(String id, String name, List<String> roles) {
    public static final String ADMIN_ROLE = "admin";

    public User {
        roles = List.copyOf(roles);
        name = name == null || name.isEmpty() ? id : name;
    }

    /** The user as the protocol shows it: {@code {id, name, roles}}. */
    public UserInfo info() {
        return new UserInfo(id, name, roles);
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN_ROLE);
    }
}
