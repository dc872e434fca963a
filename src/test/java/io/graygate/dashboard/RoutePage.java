package io.graygate.dashboard;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.util.List;

/** One route's page: rules, IP sets, splits, switch and rollback, history. */
final class RoutePage {

    private final Browser browser;

    RoutePage(Browser browser) {
        this.browser = browser;
        browser.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("history")));
    }

    /** The revision in force, from the history's "in force" row. */
    long revision() {
        return Long.parseLong(browser.driver.findElement(By.xpath("//table[@id='history']//tr[.//span[text()='in force']]")).getAttribute("data-revision"));
    }

    /** Waits until the page shows a revision other than {@code before}, i.e. the change went through and was drawn again. */
    RoutePage awaitRevisionAfter(long before) {
        browser.waiting().until(d -> {
            try {
                return revision() > before;
            } catch (RuntimeException stale) {
                return false;
            }
        });
        return this;
    }

    List<String> rules() {
        return browser.driver.findElements(By.cssSelector("#rules li")).stream().map(WebElement::getText).toList();
    }

    private WebElement set(String name) {
        return browser.driver.findElement(By.cssSelector(".ip-set[data-set='" + name + "']"));
    }

    List<String> entries(String set) {
        return set(set).findElements(By.cssSelector(".entries li")).stream().map(e -> e.getAttribute("data-entry")).toList();
    }

    void awaitEntry(String set, String entry) {
        browser.waiting().until(d -> {
            try {
                return entries(set).contains(entry);
            } catch (RuntimeException stale) {
                return false;
            }
        });
    }

    void addToSet(String set, String entry) {
        typeToAdd(set, entry);
        set(set).findElement(By.cssSelector("form.add button[type=submit]")).click();
    }

    /** Types into the set's add field without submitting it (the page then does not redraw under the typing). */
    void typeToAdd(String set, String entry) {
        set(set).findElement(By.cssSelector("input.add-entry")).sendKeys(entry);
    }

    String typedToAdd(String set) {
        return set(set).findElement(By.cssSelector("input.add-entry")).getAttribute("value");
    }

    void removeFromSet(String set, String entry) {
        set(set).findElement(By.cssSelector(".entries li[data-entry='" + entry + "'] button.remove")).click();
    }

    void search(String set, String text) {
        set(set).findElement(By.cssSelector("input.search")).sendKeys(text);
    }

    /** The error shown beside the set's add field, once there is one. */
    String addError(String set) {
        browser.waiting().until(d -> !set(set).findElement(By.cssSelector(".add-error")).getText().isEmpty());
        return set(set).findElement(By.cssSelector(".add-error")).getText();
    }

    private WebElement split(String rule) {
        return browser.driver.findElement(By.cssSelector(".split[data-rule='" + rule + "']"));
    }

    /** Moves the version's slider with the keyboard, as a person would, to {@code percent} (steps of 0.5). */
    void moveSplit(String rule, String version, double percent) {
        WebElement slider = split(rule).findElement(By.cssSelector("input[type=range][data-version='" + version + "']"));
        double now = Double.parseDouble(slider.getAttribute("value"));
        int steps = (int) Math.round(Math.abs(percent - now) / 0.5);
        CharSequence key = percent > now ? Keys.ARROW_RIGHT : Keys.ARROW_LEFT;
        for (int i = 0; i < steps; i++) slider.sendKeys(key);
    }

    String shownWeight(String rule, String version) {
        return split(rule).findElement(By.cssSelector("output[data-version='" + version + "']")).getText();
    }

    /** Clicks Apply… and returns the confirmation's question. */
    String applySplit(String rule) {
        split(rule).findElement(By.cssSelector("button.apply-split")).click();
        WebElement box = split(rule).findElement(By.cssSelector(".confirm"));
        browser.waiting().until(ExpectedConditions.visibilityOf(box));
        return box.findElement(By.tagName("p")).getText();
    }

    void confirmSplit(String rule) {
        split(rule).findElement(By.cssSelector("button.confirm-split")).click();
    }

    void cancelSplit(String rule) {
        split(rule).findElement(By.cssSelector("button.cancel-split")).click();
    }

    void switchTo(String version) {
        browser.driver.findElement(By.id("switch-" + version)).click();
    }

    void rollBack() {
        browser.driver.findElement(By.id("rollback")).click();
    }

    void rollBackTo(long revision) {
        browser.driver.findElement(By.cssSelector("button.rollback-to[data-revision='" + revision + "']")).click();
    }

    /** The rollout panel's state line: "gray: progressing, step 1 of 2 at 20%", then the reason. */
    String rolloutState() {
        return browser.driver.findElement(By.id("rollout-state")).getText();
    }

    /** Waits until the rollout panel's state line starts with {@code prefix} (it is drawn again from the API). */
    RoutePage awaitRolloutState(String prefix) {
        browser.waiting().until(d -> rolloutState().startsWith(prefix));
        return this;
    }

    /** The rollout controls the panel offers now, by name: "pause" or "resume", "promote", "abort". */
    List<String> rolloutControls() {
        // read again if the panel is redrawn meanwhile (it is every 2 s)
        return browser.waiting().until(d -> d.findElements(By.cssSelector(".rollout-panel .controls button")).stream()
                .map(b -> b.getAttribute("id").replace("rollout-", "")).toList());
    }

    /**
     * Clicks the rollout's "pause", "resume", "promote" or "abort" button. The panel is redrawn every 2 s: a button
     * replaced between finding and clicking it was not clicked (Selenium says it is stale), so it is found again.
     */
    void rolloutControl(String action) {
        browser.waiting().until(d -> {
            d.findElement(By.id("rollout-" + action)).click();
            return true;
        });
    }

    String text() {
        return browser.driver.findElement(By.id("main")).getText();
    }
}
