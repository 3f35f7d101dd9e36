"""Every page in a real browser: headless Chromium (Debian's chromium and chromium-driver)
driven by Selenium against the app on a free loopback port. Screenshots go to the test's
temporary folder (and to $DEEPMINE_SERVE_SCREENSHOTS when set, for the README)."""

import os
import shutil

import pytest
from _serve_helpers import table_csv

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER) and os.environ.get("DEEPMINE_REQUIRE_BROWSER"):
    raise RuntimeError("DEEPMINE_REQUIRE_BROWSER is set but chromium or chromedriver is missing")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Debian's chromium and chromium-driver")


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1100", "--disable-extensions", "--no-first-run"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, server, tmp_path):
    """Open a page; ``page.shot(name)`` saves a screenshot."""
    class Page:
        def open(self, path):
            browser.get(server.url + path)
            return browser

        def shot(self, name):
            path = tmp_path / f"{name}.png"
            browser.save_screenshot(str(path))
            assert path.stat().st_size > 1000
            target = os.environ.get("DEEPMINE_SERVE_SCREENSHOTS")
            if target:
                os.makedirs(target, exist_ok=True)
                shutil.copy(path, os.path.join(target, f"{name}.png"))
            return path
    return Page()


def wait(driver, condition, timeout=60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d))


def text(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css).text


def draw_one(driver, css="#pad"):
    """A vertical stroke through the middle of the canvas, as a mouse drag."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    pad = driver.find_element(By.CSS_SELECTOR, css)
    h = pad.size["height"]
    chain = ActionChains(driver).move_to_element_with_offset(pad, 0, -int(0.35 * h)).click_and_hold()
    for _ in range(7):
        chain = chain.move_by_offset(0, int(0.1 * h))
    chain.release().perform()


def test_index_lists_every_page_with_its_lecture_slide(page):
    from selenium.webdriver.common.by import By

    d = page.open("/")
    wait(d, lambda d: "ConvNetClassifier" in text(d, "#status"))
    links = {a.get_attribute("href").rsplit("/", 1)[1] for a in d.find_elements(By.CSS_SELECTOR, ".cards a")}
    assert links == {"digits", "adversarial", "words", "image", "outliers"}
    assert len(d.find_elements(By.CSS_SELECTOR, ".cards .lecture")) == 5
    page.shot("index")


def test_drawing_a_stroke_shows_prediction_feature_maps_and_dense_layer(page):
    from selenium.webdriver.common.by import By

    d = page.open("/digits")
    draw_one(d)
    wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "canvas.fmap")) == 16 + 32
         and len(d.find_elements(By.CSS_SELECTOR, "canvas.dense-layer")) == 1)
    assert wait(d, lambda d: text(d, "#prediction") == "1")
    assert len(d.find_elements(By.CSS_SELECTOR, "#proba .bar")) == 10
    assert text(d, "#error") == ""
    page.shot("digits")
    d.find_element(By.ID, "clear").click()
    assert text(d, "#prediction") == "\u2013"


def test_moving_eps_to_its_largest_value_changes_the_prediction(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d = page.open("/adversarial")
    draw_one(d)
    d.find_element(By.CSS_SELECTOR, "input[name=method][value=pgd]").click()
    wait(d, lambda d: text(d, "#before-pred") == "1")
    slider = d.find_element(By.ID, "eps")
    slider.send_keys(Keys.HOME)
    wait(d, lambda d: text(d, "#eps-value") == "0.00" and text(d, "#after-pred") == "1")
    slider.send_keys(Keys.END)
    wait(d, lambda d: text(d, "#eps-value") == "0.50")
    wait(d, lambda d: text(d, "#after-pred") not in ("1", "\u2013"))
    assert text(d, "#before-pred") == "1"
    page.shot("adversarial")


def test_clicking_an_analogy_example_fills_it_in_and_answers(page):
    from selenium.webdriver.common.by import By

    d = page.open("/words")
    wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "button.example")) == 4)
    d.find_elements(By.CSS_SELECTOR, "button.example")[0].click()
    wait(d, lambda d: text(d, "#answers").startswith("queen"))
    assert [d.find_element(By.ID, k).get_attribute("value") for k in "abc"] == ["man", "king", "woman"]
    assert len(d.find_elements(By.CSS_SELECTOR, "#plot circle")) == 4
    word = d.find_element(By.ID, "word")
    word.send_keys("apple")
    d.find_element(By.ID, "near-go").click()
    wait(d, lambda d: text(d, "#near").startswith("pear"))
    page.shot("words")
    word.clear()
    word.send_keys("zyzzyva")
    d.find_element(By.ID, "near-go").click()
    wait(d, lambda d: "'zyzzyva'" in text(d, "#error"))


def test_uploading_an_image_gives_top5_and_a_class_prototype(page, tmp_path):
    from selenium.webdriver.common.by import By

    from PIL import Image
    from sklearn.datasets import load_sample_image

    img = tmp_path / "photo.png"
    Image.fromarray(load_sample_image("china.jpg")).resize((320, 240)).save(img)
    d = page.open("/image")
    d.find_element(By.ID, "file").send_keys(str(img))
    wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#top .bar")) == 5)
    assert text(d, "#note").startswith("Network:")
    d.find_element(By.ID, "prototype").click()
    wait(d, lambda d: (d.find_element(By.ID, "proto-img").get_attribute("src") or "")
         .startswith("data:image/png"))
    d.find_element(By.ID, "dream").click()
    wait(d, lambda d: (d.find_element(By.ID, "dream-img").get_attribute("src") or "")
         .startswith("data:image/png"))
    page.shot("image")
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"not an image")
    d.find_element(By.ID, "file").send_keys(str(bad))
    wait(d, lambda d: "not an image" in text(d, "#error"))


def test_uploading_a_csv_lists_the_planted_outlier_first(page, tmp_path):
    from selenium.webdriver.common.by import By

    csv = tmp_path / "table.csv"
    csv.write_text(table_csv())
    d = page.open("/outliers")
    d.find_element(By.ID, "csv").send_keys(str(csv))
    d.find_element(By.ID, "score").click()
    wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.outlier-row")) == 10)
    first = d.find_elements(By.CSS_SELECTOR, "tr.outlier-row")[0].text
    assert first.startswith("9 ") and " b " in f" {first} "
    assert len(d.find_elements(By.CSS_SELECTOR, "#hist rect.hist-bar")) == 20
    page.shot("outliers")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    d.find_element(By.ID, "csv").send_keys(str(bad))
    d.find_element(By.ID, "score").click()
    wait(d, lambda d: "at least 10" in text(d, "#error"))
