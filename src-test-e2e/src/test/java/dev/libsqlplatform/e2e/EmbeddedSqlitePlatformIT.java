package dev.libsqlplatform.e2e;

/** The zero-setup default: control-plane metadata in its embedded SQLite file. */
class EmbeddedSqlitePlatformIT extends AbstractPlatformIT {

    @Override
    protected String datasourceUrl() {
        return null;
    }

    @Override
    protected String variant() {
        return "sqlite";
    }
}
