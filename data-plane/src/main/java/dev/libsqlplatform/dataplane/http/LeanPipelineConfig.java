package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.config.RequestThreadsProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hot path's Tomcat set-up: {@link HranaPipelineValve} in the context (see there for why), and
 * {@link RequestThreads} as the connector's executor (see there for why). The executor is not a bean, so
 * Spring Boot's task-execution auto-configuration keeps its own executor for everything else; it is shut
 * down with the context.
 */
@Configuration(proxyBeanMethods = false)
class LeanPipelineConfig implements DisposableBean {
    private volatile RequestThreads requestThreads;

    @Bean
    TomcatContextCustomizer hranaPipelineValve(ObjectProvider<HranaController> controller) {
        return context -> context.getPipeline().addValve(new HranaPipelineValve(controller));
    }

    @Bean
    TomcatProtocolHandlerCustomizer<?> requestThreadsExecutor(RequestThreadsProperties props) {
        return protocol -> {
            RequestThreads threads = new RequestThreads(props.effectiveBase(), Math.max(props.max(),
                    props.effectiveBase()), props.starvation().toNanos(), props.tick().toNanos(), "request-");
            RequestThreads previous = requestThreads;
            requestThreads = threads;
            if (previous != null) {
                previous.shutdown();
            }
            protocol.setExecutor(threads);
        };
    }

    @Override
    public void destroy() {
        RequestThreads threads = requestThreads;
        if (threads != null) {
            threads.shutdown();
        }
    }
}
