#!/usr/bin/python3
"""End-to-end test of a notebook in the real Jupyter front end (classic Notebook 6.4, Debian's jupyter-notebook),
driven in headless Debian chromium through chromedriver (Debian's python3-selenium; no browser download).

usage: ui-test.py NOTEBOOK.ipynb OUTDIR [--expect KIND:MIN ...] [--rerun-first-chart]
KIND: audio (<audio> players with a playable data: WAV), heatmap / trace (Smitin charts of that kind), plot (any
Smitin chart). The notebook is copied to OUTDIR/ui/ and served by `jupyter notebook` on 127.0.0.1 (random port,
random token). The browser reaches that server and nothing else: every other request goes to a dead proxy
(127.0.0.1:9, loopback included, only the server's host:port bypasses it), and the test fails if any response
came from elsewhere.

Steps (one PASS/FAIL line each):
 1. open the notebook, wait for the kernel, Cell > Run All through the menus, wait until every code cell has run;
 2. live DOM: no error output, at least the expected players (each loads its metadata: duration > 0), every
    Smitin chart has a drawn plot SVG (plotly's main-svg with traces), at least the expected charts, every
    progress display finished (value 1, not failed);
 3. with --rerun-first-chart: select the first cell with a chart and run it again (Ctrl-Enter), check again;
 4. full-page screenshot OUTDIR/ui-NAME.png (check-screenshot.py looks for the heatmap's colours in it);
 5. File > Save and Checkpoint, reload the page (no cell runs), the same checks on the reopened notebook;
 6. control: a trusted copy of the saved notebook whose charts cannot draw (Plotly.newPlot replaced by a no-op)
    is opened the same way; the chart check must FAIL on it (shows that the check can fail).
The saved notebook is left at OUTDIR/ui/NAME.ipynb (run-notebooks.sh exports it to HTML for the offline check).
Exit code: number of failed checks. Timings are printed per step.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

RUN_TIMEOUT = int(os.environ.get("SMITIN_UI_TIMEOUT", "1200"))  # seconds for Run All
# seconds for the server to answer and for the page + kernel to be ready (a loaded CI machine needs minutes)
STARTUP_TIMEOUT = int(os.environ.get("SMITIN_UI_STARTUP_TIMEOUT", "300"))
CHECK_JS = r"""
const root = document.getElementById('notebook-container');
const cells = [...root.querySelectorAll('.cell.code_cell')];
return {
  prompts: cells.map(c => (c.querySelector('.input_prompt') || {innerText: ''}).innerText.trim()),
  errors: [...root.querySelectorAll('.output_error')].map(e => e.innerText.slice(0, 300)),
  audio: [...root.querySelectorAll('audio')].map(a => ({src: (a.currentSrc || a.src || '').slice(0, 40),
      ready: a.readyState, duration: a.duration, error: a.error ? a.error.code : null})),
  plots: [...root.querySelectorAll('.smitin-plot')].map(p => ({cls: p.className,
      svg: p.querySelectorAll('svg.main-svg').length,
      traces: p.querySelectorAll('g.trace, .heatmaplayer image, g.hm image').length})),
  progress: [...root.querySelectorAll('.smitin-progress')].map(p => ({failed: p.classList.contains('smitin-failed'),
      value: p.querySelector('progress') ? p.querySelector('progress').value : null, text: p.innerText.slice(0, 200)})),
};
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Result:
    def __init__(self, name):
        self.name, self.failures = name, 0

    def check(self, what, ok, why=""):
        print(f"PASS {self.name}: {what}" if ok else f"FAIL {self.name}: {what}: {why}", flush=True)
        if not ok:
            self.failures += 1
        return ok


def start_server(folder, port, token, log):
    env = dict(os.environ)
    env["PATH"] = env.get("PATH", "") + ":" + os.path.expanduser("~/.dotnet/tools")
    proc = subprocess.Popen(
        ["jupyter", "notebook", "--no-browser", "--ip=127.0.0.1"] + (["--allow-root"] if os.geteuid() == 0 else []) + [ f"--port={port}", "--port-retries=0",
         f"--NotebookApp.token={token}", f"--notebook-dir={folder}", "--NotebookApp.open_browser=False"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.time() + STARTUP_TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter notebook exited with code {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGTERM)  # not returned to the caller: stop it here
    raise RuntimeError(f"jupyter notebook did not answer within {STARTUP_TIMEOUT} s")


def start_browser(port):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--hide-scrollbars",
              # only the notebook server is reachable: everything else (the .NET kernel's discovery scripts try
              # 127.0.0.1:2048 and 192.0.2.2:2048, CDNs...) goes to a dead proxy; <-loopback> removes Chromium's
              # implicit loopback bypass (it must come first) so only the server's host:port is exempt
              "--proxy-server=http://127.0.0.1:9", f"--proxy-bypass-list=<-loopback>;127.0.0.1:{port}",
              "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-default-apps", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]:
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def foreign_responses(driver, port):
    """URLs of every response the browser received from anywhere but the notebook server."""
    allowed = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:", "about:", "chrome")
    bad, attempted = [], set()
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            if not url.startswith(allowed):
                attempted.add(url[:80])
        elif msg["method"] == "Network.responseReceived":
            url = msg["params"]["response"]["url"]
            if not url.startswith(allowed):
                bad.append(url[:120])
    return bad, attempted


def wait(predicate, timeout, step=1.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def open_notebook(driver, port, token, name):
    driver.get(f"http://127.0.0.1:{port}/notebooks/{name}?token={token}")
    return wait(lambda: driver.execute_script(
        "return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel "
        "&& Jupyter.notebook.kernel.is_connected() && document.querySelector('#kernel_indicator_icon.kernel_idle_icon'))"), STARTUP_TIMEOUT)


def menu(driver, menu_id, item_id):
    driver.find_element(By.ID, menu_id).click()
    wait(lambda: driver.find_element(By.ID, item_id).is_displayed(), 10, 0.2)
    driver.find_element(By.CSS_SELECTOR, f"#{item_id} > a").click()


def all_ran(driver):
    state = driver.execute_script(CHECK_JS)
    idle = driver.execute_script("return !!document.querySelector('#kernel_indicator_icon.kernel_idle_icon')")
    return idle and state["prompts"] and all(re.fullmatch(r"In\s*\[\d+\]:", p) for p in state["prompts"])


def dom_checks(driver, res, label, expects):
    # players: let each load its metadata (decodes the embedded WAV header); then read the DOM
    driver.execute_script("document.querySelectorAll('#notebook-container audio').forEach(a => { if (a.readyState < 1) a.load(); });")
    wait(lambda: all(a["ready"] >= 1 or a["error"] for a in driver.execute_script(CHECK_JS)["audio"]), 30, 0.5)
    # charts draw asynchronously (plotly.js is decompressed first): give them a moment
    wait(lambda: all(p["svg"] > 0 for p in driver.execute_script(CHECK_JS)["plots"]), 30, 0.5)
    s = driver.execute_script(CHECK_JS)
    res.check(f"{label}: no error output", not s["errors"], "; ".join(s["errors"]))
    playable = [a for a in s["audio"] if a["src"].startswith("data:audio/wav;base64,") and a["ready"] >= 1
                and not a["error"] and (a["duration"] or 0) > 0]
    res.check(f"{label}: every player playable", len(playable) == len(s["audio"]),
              f"{len(s['audio']) - len(playable)} of {len(s['audio'])} not playable: {s['audio']}")
    undrawn = [p["cls"] for p in s["plots"] if p["svg"] == 0 or p["traces"] == 0]
    res.check(f"{label}: every chart drawn (plot SVG with traces)", s["plots"] and not undrawn,
              f"{len(undrawn)} of {len(s['plots'])} charts not drawn: {undrawn}")
    unfinished = [p["text"] for p in s["progress"] if p["failed"] or p["value"] != 1]
    res.check(f"{label}: every progress display finished", not unfinished, "; ".join(unfinished))
    counts = {"audio": len(playable), "plot": len(s["plots"]) - len(undrawn),
              "heatmap": sum(1 for p in s["plots"] if "smitin-heatmap" in p["cls"] and p["svg"] and p["traces"]),
              "trace": sum(1 for p in s["plots"] if "smitin-trace" in p["cls"] and p["svg"] and p["traces"])}
    for kind, minimum in expects:
        res.check(f"{label}: at least {minimum} {kind}", counts[kind] >= minimum, f"found {counts[kind]}")
    return s


def screenshot(driver, path):
    height = driver.execute_script(
        "return document.getElementById('header').offsetHeight + document.getElementById('notebook-container').scrollHeight + 80;")
    driver.set_window_size(1280, min(max(int(height), 1000), 16000))
    time.sleep(2)
    driver.save_screenshot(path)
    driver.set_window_size(1280, 1000)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    src, out = argv[1], os.path.abspath(argv[2])
    expects, rerun, args = [], False, argv[3:]
    while args:
        if args[0] == "--rerun-first-chart":
            rerun, args = True, args[1:]
        elif args[0] == "--expect" and len(args) > 1 and args[1].split(":")[0] in ("audio", "plot", "heatmap", "trace"):
            kind, n = args[1].split(":", 1)
            expects.append((kind, int(n)))
            args = args[2:]
        else:
            print(f"bad arguments {args!r}")
            return 2
    name = os.path.basename(src)
    stem = name[:-len(".ipynb")]
    res = Result(f"ui {stem}")
    folder = os.path.join(out, "ui")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    shutil.copy(src, os.path.join(folder, name))
    port, token = free_port(), secrets.token_hex(16)
    log = open(os.path.join(out, f"ui-{stem}-server.log"), "w")
    server = driver = None
    t0 = time.time()
    try:
        server = start_server(folder, port, token, log)
        driver = start_browser(port)
        if not res.check("notebook opened, kernel idle", open_notebook(driver, port, token, name)):
            return res.failures
        t = time.time()
        menu(driver, "celllink", "run_all_cells")
        ok = wait(lambda: all_ran(driver), RUN_TIMEOUT, 2)
        res.check(f"Cell > Run All: every code cell ran ({time.time() - t:.0f} s)", ok,
                  f"prompts after {RUN_TIMEOUT} s: {driver.execute_script(CHECK_JS)['prompts']}")
        dom_checks(driver, res, "after Run All", expects)

        if rerun:
            t = time.time()
            idx = driver.execute_script(
                "return [...document.querySelectorAll('#notebook-container .cell.code_cell')]"
                ".findIndex(c => c.querySelector('.smitin-plot'));")
            cell = driver.find_elements(By.CSS_SELECTOR, "#notebook-container .cell.code_cell")[idx]
            before = cell.find_element(By.CSS_SELECTOR, ".input_prompt").text.strip()
            cell.find_element(By.CSS_SELECTOR, ".input_prompt").click()
            ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
            ok = wait(lambda: cell.find_element(By.CSS_SELECTOR, ".input_prompt").text.strip() not in (before, "In [*]:")
                      and all_ran(driver), 600, 1)
            res.check(f"first chart cell (code cell {idx}) run again through the UI ({time.time() - t:.0f} s)", ok,
                      f"prompt still {cell.find_element(By.CSS_SELECTOR, '.input_prompt').text!r}")
            dom_checks(driver, res, "after re-running the first chart cell", expects)

        shot = os.path.join(out, f"ui-{stem}.png")
        screenshot(driver, shot)
        res.check(f"screenshot {shot}", os.path.getsize(shot) > 0)

        menu(driver, "filelink", "save_checkpoint")
        saved = wait(lambda: driver.execute_script("return Jupyter.notebook.dirty === false"), 60, 0.5)
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            nb = json.load(f)
        n_out = sum(len(c.get("outputs", [])) for c in nb["cells"])
        res.check(f"File > Save and Checkpoint wrote the outputs ({n_out} outputs, {os.path.getsize(os.path.join(folder, name)) / 1e6:.1f} MB)",
                  saved and n_out > 0, "not saved")
        driver.refresh()
        reopened = open_notebook(driver, port, token, name)
        trusted = driver.execute_script("return Jupyter.notebook.trusted")
        res.check("reopened, notebook trusted", reopened and trusted, f"trusted={trusted}")
        dom_checks(driver, res, "after save and reload", expects)

        # control: charts that cannot draw must fail the chart check
        ctrl = f"{stem}-nodraw.ipynb"
        for c in nb["cells"]:
            for o in c.get("outputs", []):
                h = o.get("data", {}).get("text/html")
                if h is not None:
                    h = "".join(h) if isinstance(h, list) else h
                    o["data"]["text/html"] = h.replace("window.Plotly.newPlot(", "(function () {})(")
        # trusted (signed as the server's own save would), so its scripts run: only the disabled drawing differs
        import nbformat
        from nbformat.sign import NotebookNotary
        signed = nbformat.from_dict(nb)
        NotebookNotary().sign(signed)
        with open(os.path.join(folder, ctrl), "w", encoding="utf-8") as f:
            nbformat.write(signed, f)
        ctl = Result(f"ui {stem} control")
        open_notebook(driver, port, token, ctrl)
        ctrl_trusted = driver.execute_script("return Jupyter.notebook.trusted")
        import contextlib, io
        with contextlib.redirect_stdout(io.StringIO()):
            s = dom_checks(driver, ctl, "control", [])
        undrawn = sum(1 for p in s["plots"] if p["svg"] == 0)
        res.check("control (trusted copy, charts cannot draw) fails the chart check",
                  ctrl_trusted and ctl.failures > 0 and s["plots"] and undrawn == len(s["plots"]),
                  f"trusted={ctrl_trusted}, {undrawn} of {len(s['plots'])} charts undrawn, {ctl.failures} failed checks")

        bad, attempted = foreign_responses(driver, port)
        res.check(f"browser reached only the notebook server (other URLs attempted and refused: {sorted(attempted) or 'none'})",
                  not bad, "responses from: " + ", ".join(bad[:5]))
    except Exception as e:  # a broken page or driver is a failure with its message, not a traceback
        res.check("ui test ran", False, f"{type(e).__name__}: {e}")
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        log.close()
        print(f"ui {stem}: {time.time() - t0:.0f} s in total", flush=True)
    return res.failures


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped test still stops its server and browser
    sys.exit(main(sys.argv))
