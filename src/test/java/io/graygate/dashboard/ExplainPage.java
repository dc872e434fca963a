package io.graygate.dashboard;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.util.List;

/** The explain form and its answer. */
final class ExplainPage {

    private final Browser browser;

    ExplainPage(Browser browser) {
        this.browser = browser;
        browser.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("explain")));
    }

    ExplainPage route(String route) {
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#explain-route option[value='" + route + "']")).isEmpty());
        new Select(browser.driver.findElement(By.id("explain-route"))).selectByValue(route);
        return this;
    }

    ExplainPage fill(String field, String text) {
        browser.driver.findElement(By.id("explain-" + field)).sendKeys(text);
        return this;
    }

    /** Submits and waits for the verdict; returns the version it names. */
    String explain() {
        browser.driver.findElement(By.cssSelector("#explain button[type=submit]")).click();
        browser.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("explain-version")));
        return browser.driver.findElement(By.id("explain-version")).getText();
    }

    String reason() {
        return browser.driver.findElement(By.id("explain-reason")).getText();
    }

    /** Each rule's row: "rule kind tested had outcome". */
    List<String> rules() {
        return browser.driver.findElements(By.cssSelector("table.explained tbody tr")).stream().map(WebElement::getText).toList();
    }

    String error() {
        browser.waiting().until(d -> !d.findElement(By.id("explain-error")).getText().isEmpty());
        return browser.driver.findElement(By.id("explain-error")).getText();
    }
}
