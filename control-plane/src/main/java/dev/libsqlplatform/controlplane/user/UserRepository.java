package dev.libsqlplatform.controlplane.user;

import java.util.Optional;

import org.springframework.data.repository.ListCrudRepository;

public interface UserRepository extends ListCrudRepository<User, String> {

    Optional<User> findByUsername(String username);
}
