package dev.libsqlplatform.dataplane.http;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** sqld-compatible {@code GET /health} and {@code GET /version}. */
@RestController
class InfoController {
    static final String VERSION = "libsql-platform-data-plane 0.1.0";

    @GetMapping("/health")
    ResponseEntity<Void> health() {
        return ResponseEntity.ok().build();
    }

    @GetMapping(value = "/version", produces = MediaType.TEXT_PLAIN_VALUE)
    String version() {
        return VERSION;
    }
}
