package io.graygate.dashboard;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.util.List;

/** The audit log's page: a route filter, an actor filter, the entries newest first. */
final class AuditPage {

    /** One row as shown: who, on which route, what. */
    record Row(String actor, String route, String change) {
    }

    private final Browser browser;

    AuditPage(Browser browser) {
        this.browser = browser;
        browser.waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#audit-entries table")));
    }

    List<Row> rows() {
        return browser.driver.findElements(By.cssSelector("#audit-entries tbody tr")).stream().map(tr -> {
            List<WebElement> td = tr.findElements(By.tagName("td"));
            return new Row(td.get(1).getText(), td.get(3).getText(), td.get(4).getText());
        }).toList();
    }

    void onlyRoute(String route) {
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#audit-route option[value='" + route + "']")).isEmpty());
        new Select(browser.driver.findElement(By.id("audit-route"))).selectByValue(route);
    }

    void actorContains(String text) {
        browser.driver.findElement(By.id("audit-actor")).sendKeys(text);
    }

    /** Waits until every row shown passes {@code test} and there is at least one. */
    void awaitRows(java.util.function.Predicate<List<Row>> test) {
        browser.waiting().until(d -> {
            try {
                return test.test(rows());
            } catch (RuntimeException stale) {
                return false;
            }
        });
    }
}
