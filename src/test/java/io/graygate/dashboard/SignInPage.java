package io.graygate.dashboard;

import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The sign-in form the dashboard shows when the API answers 401. */
final class SignInPage {

    private final Browser browser;

    SignInPage(Browser browser) {
        this.browser = browser;
        browser.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
    }

    /** Types the token and submits; returns the overview when it is accepted, else stays here. */
    void signInWith(String token) {
        browser.driver.findElement(By.id("token")).clear();
        browser.driver.findElement(By.id("token")).sendKeys(token);
        browser.driver.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
    }

    /** Waits for the message under the form and returns it. */
    String error() {
        browser.waiting().until(d -> !d.findElement(By.id("sign-in-error")).getText().isEmpty());
        return browser.driver.findElement(By.id("sign-in-error")).getText();
    }
}
