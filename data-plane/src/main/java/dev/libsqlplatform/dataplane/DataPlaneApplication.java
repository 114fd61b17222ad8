package dev.libsqlplatform.dataplane;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Data-plane worker: owns tenant SQLite files and answers Hrana over HTTP. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DataPlaneApplication {
    public static void main(String[] args) {
        SpringApplication.run(DataPlaneApplication.class, args);
    }
}
