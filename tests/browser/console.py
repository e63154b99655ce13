#!/usr/bin/python3
"""console.py - drive the staff console in headless Chromium (Selenium).

    console.py BASE_URL LOGIN PASSWORD REVIEW_ID [SCREENSHOT_DIR]

Logs in, checks the dashboard lists the events, opens review item REVIEW_ID,
registers it with typed fields, checks the page says it is settled and the
event page lists the applicant, logs out
and checks the console is closed again.  Prints TAP-like "ok"/"not ok" lines
the calling .t script counts; exits 1 on the first failure.  With
SCREENSHOT_DIR, saves dashboard.png, review.png and event.png there (docs/console/).
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, login, password, review_id = sys.argv[1:5]
shots = sys.argv[5] if len(sys.argv) > 5 else None

opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1280,1100", "--lang=pl", "--no-first-run", "--disable-extensions"):
    opts.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
wait = WebDriverWait(driver, 30)


def check(cond, name):
    print(("ok - " if cond else "not ok - ") + name, flush=True)
    if not cond:
        print("# page: " + driver.current_url, flush=True)
        print("# " + driver.page_source[:3000].replace("\n", "\n# "), flush=True)
        driver.quit()
        sys.exit(1)


def shot(name):
    if shots:
        os.makedirs(shots, exist_ok=True)
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, min(max(height + 40, 600), 4000))
        driver.save_screenshot(os.path.join(shots, name))
        driver.set_window_size(1280, 1100)


try:
    driver.get(base + "/")
    wait.until(EC.presence_of_element_located((By.NAME, "login")))
    check(driver.current_url.endswith("/login"), "without a session the browser lands on /login")
    driver.find_element(By.NAME, "login").send_keys(login)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait.until(EC.presence_of_element_located((By.ID, "events")))
    events = driver.find_element(By.ID, "events").text
    check("INFO-CEN" in events and "SZK-01" in events, "the dashboard lists the events with their seats")
    check(driver.find_element(By.ID, "review-count").text == "1", "and one review item waiting")
    shot("dashboard.png")

    driver.get("%s/review/%s" % (base, review_id))
    wait.until(EC.presence_of_element_located((By.ID, "register")))
    check("Pytanie o szkolenia" in driver.find_element(By.ID, "summary").text, "the review item shows its subject")
    check("powiatu" in driver.find_element(By.ID, "body").text, "and the text of the message")
    shot("review.png")
    form = driver.find_element(By.ID, "register")
    typed = {"first_name": "Halina", "last_name": "Dudek", "institution": "OPS Myszków",
             "powiat": "myszkowski", "info_meeting": "tak", "consent": "tak"}
    for key, value in typed.items():
        box = form.find_element(By.NAME, key)
        box.clear()
        box.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait.until(EC.presence_of_element_located((By.ID, "settled")))
    check("już rozpatrzona" in driver.page_source, "registering with typed fields settles the item")

    driver.get(base + "/")
    wait.until(EC.presence_of_element_located((By.ID, "events")))
    driver.find_element(By.LINK_TEXT, "INFO-POLN").click()
    wait.until(EC.presence_of_element_located((By.ID, "confirmed")))
    check("Dudek Halina" in driver.find_element(By.ID, "confirmed").text,
          "the event page lists the new participant")
    shot("event.png")

    driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
    wait.until(EC.presence_of_element_located((By.NAME, "password")))
    check(driver.current_url.endswith("/login"), "logout leads back to /login")
    driver.get(base + "/review")
    wait.until(EC.presence_of_element_located((By.NAME, "password")))
    check(driver.current_url.endswith("/login"), "after logout the console is closed")
finally:
    driver.quit()
