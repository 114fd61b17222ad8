package dev.libsqlplatform.controlplane.user;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

@Table("users")
public record User(@Id String id, String username, String email, String name, long createdAt) {
}
