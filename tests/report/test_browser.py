"""The HTML report in a real browser (headless Chromium, driven over the DevTools protocol on a pipe).

Each page of a report (the index and every suite page) must load with no console error, no broken image,
no element whose CSS changes the case of text (``text-transform: uppercase`` turned η into Η), no Greek
capital where the source has the small letter, and a height under :data:`MAX_HEIGHT_PX`.  The test skips
when no Chromium is installed (``.ci/run`` installs one).

The DevTools protocol runs over ``--remote-debugging-pipe``: JSON messages separated by NUL bytes, written
to the browser's fd 3 and read from its fd 4, so no websocket library is needed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from test_report import make_results  # the fixture results of tests/test_report.py

from sgmverify.report import write_reports

#: A page taller than this (CSS pixels, at 1400 px wide) is too long to read: split it further.
MAX_HEIGHT_PX = 40_000

#: Where to look for a browser, in order.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """The path of a Chromium-family browser, or ``None``."""
    env = os.environ.get("SGMVERIFY_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A headless Chromium speaking the DevTools protocol over a pipe (context manager)."""

    def __init__(self, exe: str, profile: Path, width: int = 1400, height: int = 1000):
        r_in, w_in = os.pipe()  # we write -> browser reads on fd 3
        r_out, w_out = os.pipe()  # browser writes on fd 4 -> we read
        args = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--remote-debugging-pipe", f"--user-data-dir={profile}", f"--window-size={width},{height}",
            "about:blank",
        ]  # fmt: skip

        def child() -> None:
            os.dup2(r_in, 3)
            os.dup2(w_out, 4)

        self.proc = subprocess.Popen(
            args,
            pass_fds=(r_in, w_out, 3, 4),
            preexec_fn=child,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(r_in)
        os.close(w_out)
        self.w, self.r = os.fdopen(w_in, "wb", buffering=0), os.fdopen(r_out, "rb", buffering=0)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001  (already gone)
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.w.close()
        self.r.close()

    def _read(self) -> dict:
        while b"\0" not in self._buf:
            chunk = self.r.read(1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed its DevTools pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._id += 1
        msg: dict = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60.0) -> None:
        """Wait for an event named ``method`` (already received ones count)."""
        end = time.monotonic() + timeout
        while not any(ev.get("method") == method for ev in self.events):
            if time.monotonic() > end:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(self._read())

    def inspect(self, url: str) -> dict:
        """Load ``url``; return its height, broken images, console errors and text-transform offenders."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired")
        probe = """(async () => {
          const height = document.documentElement.scrollHeight;  // as first shown: details closed
          const width = document.documentElement.scrollWidth;
          const overflow = [...document.querySelectorAll('#summary .scroll')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).length;  // the summary must fit, not scroll
          document.querySelectorAll('details').forEach(d => { d.open = true; });
          const imgs = [...document.images];
          imgs.forEach(i => { i.loading = 'eager'; });
          await Promise.all(imgs.map(i => i.decode().catch(() => null)));
          const broken = imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src.slice(0, 120));
          const cased = [...document.querySelectorAll('*')]
            .filter(el => !['none', ''].includes(getComputedStyle(el).textTransform))
            .map(el => el.tagName + ': ' + el.textContent.slice(0, 60));
          return JSON.stringify({height, width, overflow, open_height: document.documentElement.scrollHeight,
                                 images: imgs.length, broken, cased,
                                 text: document.body.innerText});
        })()"""
        value = self.send(
            "Runtime.evaluate", {"expression": probe, "returnByValue": True, "awaitPromise": True}, session
        )
        out = json.loads(value["result"]["value"])
        errors = []
        for ev in self.events:
            p = ev.get("params", {})
            if ev.get("method") == "Runtime.exceptionThrown":
                errors.append(str(p.get("exceptionDetails", {}).get("text")))
            elif ev.get("method") == "Runtime.consoleAPICalled" and p.get("type") == "error":
                errors.append(str(p.get("args")))
            elif ev.get("method") == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append(str(p["entry"].get("text")) + " " + str(p["entry"].get("url", "")))
        out["errors"] = errors
        self.send("Target.closeTarget", {"targetId": target})
        return out


BROWSER = find_browser()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser_report")
    results = make_results()
    results[0].title = "step η ≤ e^{−T} at p_{t_min}"  # maths in a title: must keep its case
    results[-1].suite = "elamvazhuthi_oymak_pasqualetti_2023"  # the longest real suite name: must still fit
    write_reports(results, out)
    return out


@pytest.mark.skipif(BROWSER is None, reason="no Chromium-family browser installed")
def test_every_page_renders_cleanly(report, tmp_path):
    pages = [report / "report.html", *sorted((report / "suites").glob("*.html"))]
    assert len(pages) >= 3
    with Browser(BROWSER, tmp_path / "profile") as browser:
        for page in pages:
            info = browser.inspect(page.resolve().as_uri())
            name = page.relative_to(report)
            assert info["errors"] == [], f"{name}: console errors {info['errors']}"
            assert info["broken"] == [], f"{name}: broken images {info['broken']}"
            assert info["cased"] == [], f"{name}: text-transform changes the case of {info['cased']}"
            assert "Η" not in info["text"], f"{name}: an upper-case eta where the source has η"
            assert 300 < info["height"] <= MAX_HEIGHT_PX, f"{name}: {info['height']} px tall"
            assert info["width"] <= 1400, f"{name}: {info['width']} px wide at a 1400 px window"
            assert info["overflow"] == 0, f"{name}: the summary table overflows its box at 1400 px"
    suite_page = next(p for p in pages if "η" in p.read_text())
    assert "e⁻ᵀ" in suite_page.read_text() and "p_(t_min)" in suite_page.read_text()  # no raw TeX
