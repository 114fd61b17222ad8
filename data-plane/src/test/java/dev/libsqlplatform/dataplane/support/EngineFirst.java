package dev.libsqlplatform.dataplane.support;

import dev.libsqlplatform.dataplane.storage.SqliteEngine;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Loads the worker's SQLite engine before any test touches sqlite-jdbc: a test that opened a SQLite file
 * first would make sqlite-jdbc load its bundled library, and the worker would then refuse to start.
 */
public final class EngineFirst implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        SqliteEngine.load();
    }
}
