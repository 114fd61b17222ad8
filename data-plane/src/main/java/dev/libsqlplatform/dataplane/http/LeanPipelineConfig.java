package dev.libsqlplatform.dataplane.http;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Installs {@link HranaPipelineValve} in the embedded Tomcat's context (see there for why). */
@Configuration(proxyBeanMethods = false)
class LeanPipelineConfig {
    @Bean
    TomcatContextCustomizer hranaPipelineValve(ObjectProvider<HranaController> controller) {
        return context -> context.getPipeline().addValve(new HranaPipelineValve(controller));
    }
}
