package io.graygate.dashboard;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.util.LinkedHashMap;
import java.util.Map;

/** The overview: one card per route with its shares bar and versions, the store and nodes beside. */
final class OverviewPage {

    private final Browser browser;

    OverviewPage(Browser browser) {
        this.browser = browser;
        browser.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".route-card")));
    }

    WebElement card(String route) {
        return browser.driver.findElement(By.cssSelector(".route-card[data-route='" + route + "']"));
    }

    /** The shares the route's bar shows, version to percent, as its segments' data. */
    Map<String, Double> shares(String route) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (WebElement seg : card(route).findElements(By.cssSelector(".shares-bar .share"))) {
            out.put(seg.getAttribute("data-version"), Double.parseDouble(seg.getAttribute("data-share")));
        }
        return out;
    }

    /** Waits until the bar shows {@code percent} for {@code version} (the page refreshes every 2 s). */
    void awaitShare(String route, String version, double percent) {
        browser.waiting().until(d -> Double.valueOf(percent).equals(shares(route).get(version)));
    }

    /** The figure a version's row shows: field "rate" (req/s), "errors" (error ratio) or "p99". */
    String figure(String route, String version, String field) {
        return card(route).findElement(By.cssSelector("tr[data-version='" + version + "'] td[data-field='" + field + "'] .figure")).getText();
    }

    /** The route card's rollout line ("rollout gray: progressing, step 2 of 3 at 50%"), or "" when it has none. */
    String rolloutLine(String route) {
        return card(route).findElements(By.cssSelector(".rollout-line")).stream().map(WebElement::getText).findFirst().orElse("");
    }

    String storeState() {
        return browser.driver.findElement(By.id("store-connected")).getText();
    }

    String text() {
        return browser.driver.findElement(By.id("main")).getText();
    }

    RoutePage openRoute(String route) {
        card(route).findElement(By.cssSelector("h2 a")).click();
        return new RoutePage(browser);
    }
}
