package dev.libsqlplatform.bench;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

final class Log {
    private Log() {}

    static void info(String msg) {
        System.out.println("[bench " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "] " + msg);
        System.out.flush();
    }
}
