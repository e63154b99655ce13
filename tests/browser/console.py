#!/usr/bin/python3
"""console.py - drive the staff console in headless Chromium (Selenium).

    console.py BASE_URL LOGIN PASSWORD REVIEW_ID [SCREENSHOT_DIR]

Logs in, checks the dashboard lists the events, opens review item REVIEW_ID,
registers it with typed fields, checks the page says it is settled and the
event page lists the applicant; finds the applicant $CONSOLE_CANCEL ("First
Last") typed without Polish marks, cancels its registration for INFO-CEN,
checks $CONSOLE_WAITING took the place and downloads the attendance list
into $CONSOLE_DOWNLOADS; logs out and checks the console is closed again.
Prints TAP-like "ok"/"not ok" lines the calling .t script counts; exits 1 on
the first failure.  With
SCREENSHOT_DIR, saves dashboard.png, review.png, event.png, applicants.png and
applicant.png there (docs/console/).
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
# the applicant whose registration is cancelled, the one waiting behind it,
# and where the attendance list is downloaded to
cancel_name = os.environ["CONSOLE_CANCEL"]
waiting_name = os.environ["CONSOLE_WAITING"]
downloads = os.environ["CONSOLE_DOWNLOADS"]

opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1280,1100", "--lang=pl", "--no-first-run", "--disable-extensions"):
    opts.add_argument(arg)
opts.add_experimental_option("prefs", {"download.default_directory": downloads,
                                       "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
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

    # the event with a waiting list and a special need, before the cancellation
    driver.get(base + "/events/INFO-CEN")
    wait.until(EC.presence_of_element_located((By.ID, "waiting")))
    w_first, w_last = waiting_name.split()
    waiting_row = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#waiting tbody tr")
                   if "%s %s" % (w_last, w_first) in row.text]
    check(len(waiting_row) == 1 and "dieta" in waiting_row[0],
          "the event page shows the waiting list and the special needs")
    shot("event.png")

    # an applicant found without the marks of its letters, a registration cancelled
    driver.get(base + "/applicants")
    wait.until(EC.presence_of_element_located((By.ID, "search")))
    last, first = cancel_name.split()[1], cancel_name.split()[0]
    plain = last.translate(str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")).lower()
    driver.find_element(By.NAME, "q").send_keys(plain)
    driver.find_element(By.CSS_SELECTOR, "form.search button").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "found"), "Znaleziono"))
    check(driver.find_element(By.ID, "found").text.startswith("Znaleziono: 1"),
          "a search without Polish marks finds the applicant")
    shot("applicants.png")
    driver.find_element(By.LINK_TEXT, "%s %s" % (last, first)).click()
    wait.until(EC.presence_of_element_located((By.ID, "registrations")))
    check("potwierdzone" in driver.find_element(By.ID, "registrations").text, "the applicant page shows the place")
    shot("applicant.png")
    driver.find_element(By.CSS_SELECTOR, "#registrations form.action button").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "registrations"), "anulowane"))
    check(driver.find_elements(By.CSS_SELECTOR, "#registrations form.action") == [],
          "cancelling a registration in the browser marks it cancelled")

    driver.get(base + "/events/INFO-CEN")
    wait.until(EC.presence_of_element_located((By.ID, "confirmed")))
    confirmed = driver.find_element(By.ID, "confirmed").text
    check("%s %s" % (w_last, w_first) in confirmed and last not in confirmed and
          not driver.find_elements(By.ID, "waiting"),
          "the first on the waiting list is promoted")

    # the attendance list: a download, opened here as a spreadsheet would
    target = os.path.join(downloads, "lista-obecnosci-INFO-CEN.csv")
    driver.find_element(By.ID, "csv-link").click()
    WebDriverWait(driver, 30, poll_frequency=0.2).until(lambda d: os.path.exists(target))
    raw = open(target, "rb").read()
    rows = raw.decode("utf-8-sig").split("\r\n")
    check(raw.startswith(b"\xef\xbb\xbf") and rows[0].startswith('"Lp.";"Nazwisko";"Imię"') and
          rows[1].startswith('"1";"%s";"%s"' % (w_last, w_first)) and rows[2] == "",
          "the attendance list downloads as CSV with the promoted participant")

    driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
    wait.until(EC.presence_of_element_located((By.NAME, "password")))
    check(driver.current_url.endswith("/login"), "logout leads back to /login")
    driver.get(base + "/review")
    wait.until(EC.presence_of_element_located((By.NAME, "password")))
    check(driver.current_url.endswith("/login"), "after logout the console is closed")
finally:
    driver.quit()
