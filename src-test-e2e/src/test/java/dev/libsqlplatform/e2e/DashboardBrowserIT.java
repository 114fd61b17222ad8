package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin dashboard in a real browser: Debian's headless {@code chromium} driven through {@code chromium-driver}
 * (both installed by bin/lib.sh) against the packaged control plane and a worker (the SQL console runs on it). The
 * scenarios build on each other in order (create, mint, query, revoke, delete); each saves a screenshot under
 * {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

    static final String PASSWORD = "browser test password";
    static final Path SHOTS = Path.of("target", "screenshots");
    static final String DB = "shop-" + Platform.randomSuffix();

    Platform platform;
    ChromeDriver driver;
    WebDriverWait wait;
    Path profile;

    @BeforeAll
    void start() throws Exception {
        platform = new Platform("dashboard", null).controlPlaneEnv("PLATFORM_ADMIN_PASSWORD", PASSWORD);
        platform.startOrShowLogs();
        Files.createDirectories(SHOTS);
        profile = Files.createTempDirectory(platform.root(), "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(executable("e2e.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(executable("e2e.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(60));
    }

    private static String executable(String property, String fallback) {
        String path = System.getProperty(property, fallback);
        if (!Files.isExecutable(Path.of(path))) {
            throw new IllegalStateException(path + " is missing: bin/test installs Debian's chromium and "
                    + "chromium-driver (apt-get install chromium chromium-driver)");
        }
        return path;
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            platform.close();
        }
    }

    private void open(String path) {
        driver.get(platform.controlPlaneUrl() + path);
    }

    private WebElement el(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private void shot(String name) throws Exception {
        Path file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private int apiStatus(String token, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(platform.controlPlaneUrl() + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private String databasesQuota() {
        return el("#quota-bar-0").getAttribute("value");
    }

    @Test
    @Order(1)
    void signInWithPassword() throws Exception {
        open("/");
        wait.until(ExpectedConditions.urlContains("/sign-in"));
        el("#username").sendKeys("admin");
        el("#password").sendKeys("not the password");
        el("#sign-in-password").click();
        assertTrue(el("#sign-in-error").getText().contains("Wrong username or password"));
        el("#username").sendKeys("admin");
        el("#password").sendKeys(PASSWORD);
        el("#sign-in-password").click();
        wait.until(ExpectedConditions.urlMatches("/dashboard/default$"));
        assertEquals("Organization default", el("h1").getText());
        shot("01-signed-in-with-password");
    }

    @Test
    @Order(2)
    void createDatabaseAndSeeTheQuotaBarChange() throws Exception {
        open("/dashboard/default");
        long before = Long.parseLong(databasesQuota());
        el("a[href$='/databases']").click();
        el("#new-database").click();
        el("#name").sendKeys("Not A Valid Name!");
        el("#create").click();
        assertTrue(el("#name-error").getText().contains("name"), el("#name-error").getText());
        shot("02-create-database-field-error");
        el("#name").clear();
        el("#name").sendKeys(DB);
        new Select(el("#group")).selectByVisibleText("default");
        el("#create").click();
        wait.until(ExpectedConditions.urlContains("/databases/" + DB));
        assertTrue(el("#hostname").getText().startsWith(DB + "-default."));
        // provisioning until the worker has it: the page says so and reloads itself until it is ready
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> "ready".equals(d.findElement(By.id("state")).getText()));
        shot("03-database-detail");
        open("/dashboard/default");
        assertEquals(before + 1, Long.parseLong(databasesQuota()), "the databases quota bar counts the new database");
        shot("04-overview-quota-after-create");
        // a phone-sized window: the same page, one column, nothing cut off
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            open("/dashboard/default");
            assertTrue(el("#quota-bar-0").isDisplayed());
            Object overflow = driver.executeScript(
                    "return document.documentElement.scrollWidth > document.documentElement.clientWidth");
            assertEquals(Boolean.FALSE, overflow, "the overview scrolls sideways on a narrow screen");
            shot("04b-overview-narrow");
        } finally {
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
        }
    }

    @Test
    @Order(3)
    void mintADatabaseTokenThatTheWorkerAccepts() throws Exception {
        open("/dashboard/default/databases/" + DB);
        new Select(el("#access")).selectByValue("read-only");
        el("#expiration").clear();
        el("#expiration").sendKeys("1d");
        el("#mint").click();
        String jwt = el("#token-value").getAttribute("value").trim();
        assertEquals(3, jwt.split("\\.").length, "a JWS: " + jwt);
        el("#copy-token").click();
        shot("05-token-minted");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(platform.workerUrl() + "/v2/pipeline"))
                .header("Authorization", "Bearer " + jwt).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":"
                        + "\"SELECT 42\"}},{\"type\":\"close\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"42\""), r.body());
        open("/dashboard/default/databases/" + DB);
        assertTrue(el("#database-tokens").getText().contains("read-only"));
    }

    @Test
    @Order(4)
    void runAQueryInTheConsoleAndSeeItsRows() throws Exception {
        open("/dashboard/default/databases/" + DB);
        el("#open-console").click();
        el("#sql").sendKeys("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL);\n"
                + "INSERT INTO products (name, price) VALUES ('kettle', 24.5), ('teapot', 18), ('mug; large', NULL);\n"
                + "SELECT id, name, price FROM products ORDER BY id;");
        el("#run").click();
        WebElement rows = el("#rows");
        List<WebElement> cells = rows.findElements(By.cssSelector("tbody tr"));
        assertEquals(3, cells.size(), rows.getText());
        assertTrue(rows.getText().contains("kettle") && rows.getText().contains("mug; large"), rows.getText());
        assertTrue(rows.getText().contains("NULL"), rows.getText());
        assertTrue(el("#schema").getText().contains("products"), el("#schema").getText());
        assertTrue(el("#schema").getText().contains("price"), el("#schema").getText());
        shot("06-sql-console-rows");
    }

    /** A tenant's values are text, never markup: shown as typed, no element created, no script run. */
    @Test
    @Order(5)
    void valuesAreShownAsTextNeverAsMarkup() throws Exception {
        open("/dashboard/default/databases/" + DB + "/console");
        el("#sql").sendKeys("INSERT INTO products (name, price) VALUES ('<img src=x onerror=alert(1)>', 1);"
                + " SELECT name FROM products WHERE price = 1");
        el("#run").click();
        WebElement rows = el("#rows");
        assertEquals("<img src=x onerror=alert(1)>", rows.findElement(By.cssSelector("tbody td")).getText());
        assertTrue(rows.findElements(By.tagName("img")).isEmpty());
        assertTrue(ExpectedConditions.alertIsPresent().apply(driver) == null, "no script ran");
    }

    @Test
    @Order(5)
    void seeAnSqlErrorAsSqliteReportsIt() throws Exception {
        open("/dashboard/default/databases/" + DB + "/console");
        el("#sql").sendKeys("SELECT * FROM no_such_table");
        el("#run").click();
        String error = el("#sql-error").getText();
        assertTrue(error.contains("no such table: no_such_table"), error);
        shot("07-sql-console-error");
    }

    @Test
    @Order(6)
    void createAndRevokeAPlatformApiToken() throws Exception {
        open("/dashboard/default/tokens");
        el("#api-token-name").sendKeys("browser-test");
        el("#create-api-token-button").click();
        String value = el("#token-value").getAttribute("value").trim();
        assertTrue(value.startsWith("lsp_"), value);
        assertEquals(200, apiStatus(value, "/v1/organizations"));
        open("/dashboard/default/tokens");
        assertTrue(el("#api-tokens").getText().contains("browser-test"));
        el("#revoke-browser-test").click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".notice"), "revoked"));
        assertTrue(!el("#api-tokens").getText().contains("browser-test"));
        assertEquals(401, apiStatus(value, "/v1/organizations"));
        shot("08-api-token-revoked");
    }

    @Test
    @Order(7)
    void deleteTheDatabaseAfterConfirmation() throws Exception {
        open("/dashboard/default");
        long before = Long.parseLong(databasesQuota());
        open("/dashboard/default/databases/" + DB);
        el("#confirm").sendKeys(DB);
        el("#delete").click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".notice"), "deleted"));
        el("#q").sendKeys(DB);
        el("#q").submit();
        assertTrue(el("#database-count").getText().startsWith("0 databases"), el("#database-count").getText());
        shot("09-database-deleted");
        open("/dashboard/default");
        assertEquals(before - 1, Long.parseLong(databasesQuota()));
    }

    @Test
    @Order(8)
    void signOutThenSignInWithAToken() throws Exception {
        open("/dashboard/default");
        el("form[action$='/sign-out'] button").click();
        wait.until(ExpectedConditions.urlContains("/sign-in"));
        open("/dashboard/default");
        wait.until(ExpectedConditions.urlContains("/sign-in"));
        el("#token").sendKeys(platform.adminToken());
        el("#sign-in-token").click();
        // back to the page that asked for the sign-in (Spring Security marks it ?continue)
        wait.until(ExpectedConditions.urlMatches("/dashboard/default(\\?continue)?$"));
        assertTrue(el(".who").getText().contains("admin"));
        open("/dashboard/-/workers");
        assertTrue(el("#workers").getText().contains("up"), el("#workers").getText());
        shot("10-signed-in-with-token-workers");
    }

    @Test
    @Order(9)
    void aViewerIsOfferedNothingItMayNotDo() throws Exception {
        String viewer = "viewer-" + Platform.randomSuffix();
        HttpResponse<String> user = platform.platformApi("POST", "/v1/users",
                "{\"username\":\"" + viewer + "\",\"email\":\"" + viewer + "@example.com\"}");
        assertEquals(200, user.statusCode(), user.body());
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(user.body());
        assertTrue(token.find(), user.body());
        String viewerToken = token.group(1);
        assertEquals(200, platform.platformApi("POST", "/v1/organizations/default/members",
                "{\"username\":\"" + viewer + "\",\"role\":\"viewer\"}").statusCode());
        String target = "kept-" + Platform.randomSuffix();
        assertEquals(200, platform.platformApi("POST", "/v1/organizations/default/databases",
                "{\"name\":\"" + target + "\",\"group\":\"default\"}").statusCode());
        // the viewer's session comes from the viewer's own API token (its first one, from POST /v1/users)
        driver.manage().deleteAllCookies();
        open("/sign-in");
        el("#token").sendKeys(viewerToken);
        el("#sign-in-token").click();
        wait.until(ExpectedConditions.urlMatches("/dashboard/default$"));
        open("/dashboard/default/databases/" + target);
        assertTrue(driver.findElements(By.id("delete-database")).isEmpty());
        assertTrue(driver.findElements(By.id("mint-token")).isEmpty());
        assertTrue(driver.findElements(By.id("open-console")).isEmpty());
        open("/dashboard/default/databases");
        assertTrue(driver.findElements(By.id("new-database")).isEmpty());
        open("/dashboard/default/databases/" + target + "/console");
        assertTrue(el("#error-message").getText().contains("requires role member"), el("#error-message").getText());
        shot("11-viewer-refused");
    }
}
