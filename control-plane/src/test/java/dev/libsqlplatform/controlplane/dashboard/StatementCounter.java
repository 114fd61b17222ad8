package dev.libsqlplatform.controlplane.dashboard;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Counts every SQL statement the application prepares or creates on the metadata DataSource (a test-only wrapper
 * around the real pool), so that a test can assert how many queries one page costs.
 */
final class StatementCounter implements BeanPostProcessor {

    private static final Set<String> STATEMENT_METHODS = Set.of("prepareStatement", "createStatement", "prepareCall");
    static final AtomicLong COUNT = new AtomicLong();

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSource ds && "dataSource".equals(beanName)) {
            return new DelegatingDataSource(ds) {
                @Override
                public Connection getConnection() throws SQLException {
                    return counting(super.getConnection());
                }

                @Override
                public Connection getConnection(String username, String password) throws SQLException {
                    return counting(super.getConnection(username, password));
                }
            };
        }
        return bean;
    }

    private static Connection counting(Connection real) {
        return (Connection) Proxy.newProxyInstance(StatementCounter.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    if (STATEMENT_METHODS.contains(method.getName())) {
                        COUNT.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
