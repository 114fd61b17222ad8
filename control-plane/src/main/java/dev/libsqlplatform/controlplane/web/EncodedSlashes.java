package dev.libsqlplatform.controlplane.web;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An encoded slash ({@code %2F}) in a path: Tomcat refuses it itself by default, with its HTML error page, before any
 * filter runs. Passed through (not decoded: routing never sees a new path segment), it reaches Spring Security's
 * firewall, which refuses it like every other suspicious path, with the API's JSON 400 ({@link FirewallRejections}).
 */
@Configuration(proxyBeanMethods = false)
class EncodedSlashes {

    @Bean
    TomcatConnectorCustomizer encodedSlashesReachTheFirewall() {
        return connector -> connector.setEncodedSolidusHandling("passthrough");
    }
}
