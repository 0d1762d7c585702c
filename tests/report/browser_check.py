"""What the browser tests of the HTML pages share (test_report_browser.py: a run's report and the
comparison page; test_report_ensemble_browser.py: the ensemble and sweep directory pages): headless
Chromium opens a copy of a page with a small probe script appended; the checks: every figure the page
declares is there, decoded and laid out, and in a screenshot of the whole page shows that figure's
pixels; nothing reaches past the window's right edge (not even inside a box that scrolls sideways);
nothing is loaded from outside. Not a test itself (ctest runs tests/*/test_*.py).
"""
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402

from test_report import embedded_pngs, png_size  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "clients"))
from short_run import skip  # noqa: E402

WIDTH = 1280   # CSS px; the page's column is 1100 px, so the 1000 px figures show at their own size
# The report carries no script. The probe is appended to a copy of the page, so what Chromium lays
# out is the report's own HTML and CSS; it writes what the browser made of each figure into a
# <pre> that --dump-dom prints. Drawing an image on a canvas decodes it there and then (img.decode()
# would settle on a decoder thread, after --dump-dom may already have printed the page); the mean
# of the decoded pixels is compared with the PNG's own, so a figure whose header is valid but whose
# data is not fails here, though the browser knows its size.
PROBE = """<script>
window.addEventListener("load", () => {
  const meanOfPixels = img => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
    return px.length ? sum / (0.75 * px.length) / 255 : null;
  };
  const overflows = e => e.getBoundingClientRect().right > innerWidth + 0.5;
  const out = document.createElement("pre");
  out.id = "browser-check";
  out.textContent = JSON.stringify({
    pageHeight: document.documentElement.scrollHeight,
    pageWidth: document.documentElement.scrollWidth,
    // elements reaching past the window's right edge (the outermost of each; also inside a scroll box)
    wide: [...document.body.querySelectorAll("*")].filter(e => overflows(e) && !overflows(e.parentElement))
      .map(e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} to ${Math.round(e.getBoundingClientRect().right)}`),
    external: performance.getEntriesByType("resource").map(e => e.name),
    figures: [...document.querySelectorAll("figure")].map(f => {
      const img = f.querySelector("img");
      if (!img) return {id: f.id, img: false, note: !!f.querySelector(".note")};
      const box = img.getBoundingClientRect();   // border box; the picture sits inside the border
      return {id: f.id, img: true, complete: img.complete, naturalWidth: img.naturalWidth,
              naturalHeight: img.naturalHeight, meanOfPixels: img.naturalWidth ? meanOfPixels(img) : null,
              visible: getComputedStyle(img).visibility === "visible",
              x: box.left + scrollX + img.clientLeft, y: box.top + scrollY + img.clientTop,
              width: img.clientWidth, height: img.clientHeight};
    })});
  document.body.appendChild(out);
});
</script>"""


def chromium_exe():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    skip("chromium is not installed (Debian: chromium; tools/install_deps.sh installs it)")


def start(argv):
    """(STAMPEDE_EXE, chromium) of a browser test run as `test_*.py STAMPEDE_EXE WORKDIR`, in an emptied WORKDIR;
    skips (exit 77) when Chromium is not installed."""
    exe, work = os.path.abspath(argv[1]), argv[2]
    chromium = chromium_exe()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    return exe, chromium


def browse(exe, page, height, screenshot=None):
    """What the probe reports for `page` in a WIDTH x height window (and a screenshot of it)."""
    args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--force-device-scale-factor=1", f"--window-size={WIDTH},{height}",
            # virtual time: the page has loaded before the DOM is printed
            "--virtual-time-budget=20000", "--user-data-dir=" + os.path.abspath("chromium-profile")]
    if screenshot:
        args.append("--screenshot=" + os.path.abspath(screenshot))
    args += ["--dump-dom", "file://" + os.path.abspath(page)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"chromium exit {r.returncode}: {r.stderr[-2000:]}"
    m = re.search(r'<pre id="browser-check">(.*?)</pre>', r.stdout, re.S)
    assert m, f"the probe never reported (no load event): {r.stderr[-2000:]}"
    return json.loads(html.unescape(m.group(1)))   # the DOM prints the JSON as escaped text


def coarse(img, cols=80):
    """An (h, w, 3) image averaged over a grid `cols` cells wide (square cells): the browser scales a
    figure wider than the page smoothly, and averaging both sides makes that scaling vanish, while
    two different figures still differ (by 0.02 per channel and more at 80 cells on the test's run)."""
    rows = max(1, round(cols * img.shape[0] / img.shape[1]))
    r = np.linspace(0, img.shape[0], rows + 1).astype(int)
    c = np.linspace(0, img.shape[1], cols + 1).astype(int)
    sums = np.add.reduceat(np.add.reduceat(img, r[:-1], axis=0), c[:-1], axis=1)
    return sums / np.outer(np.diff(r), np.diff(c))[:, :, None]


def rgb(data):
    img = mpimg.imread(io.BytesIO(data), format="png")
    return img[:, :, :3] if img.ndim == 3 else np.dstack([img] * 3)


def check_figures(seen, pngs, expected):
    figures = seen["figures"]
    ids = [f["id"] for f in figures]
    assert ids == expected, f"the page declares figures {ids}, expected {expected}"
    for f in figures:
        fid = f["id"]
        assert f["img"], f"{fid}: no image in the browser ({'a note' if f['note'] else 'nothing'} instead)"
        assert f["complete"] and f["meanOfPixels"] is not None, f"{fid}: Chromium could not load the image"
        mean = float(rgb(pngs[fid]).mean())
        assert abs(f["meanOfPixels"] - mean) < 0.01, \
            f"{fid}: Chromium decodes pixels of mean {f['meanOfPixels']:.4f}, the PNG's are {mean:.4f}"
        assert f["visible"], f"{fid}: the image is hidden"
        assert (f["naturalWidth"], f["naturalHeight"]) == png_size(pngs[fid]), \
            f"{fid}: Chromium sees {f['naturalWidth']}x{f['naturalHeight']}, the PNG is {png_size(pngs[fid])}"
        assert f["width"] >= 400 and f["height"] >= 200, f"{fid}: shown at {f['width']}x{f['height']} px"
        assert f["x"] >= 0 and f["x"] + f["width"] <= WIDTH, f"{fid}: runs off the page sideways ({f})"
        aspect, shown = f["naturalWidth"] / f["naturalHeight"], f["width"] / f["height"]
        assert abs(shown / aspect - 1) < 0.02, f"{fid}: distorted, aspect {shown:.3f} shown, {aspect:.3f} drawn"
    for a, b in zip(figures, figures[1:]):   # one below the other, none hiding another
        assert a["y"] + a["height"] <= b["y"], f"{a['id']} and {b['id']} overlap"


def check_screenshot(path, seen, pngs):
    """Each figure's box in the screenshot shows that figure (the embedded PNG, scaled as shown)."""
    shot = rgb(open(path, "rb").read())
    assert shot.shape[:2] == (seen["pageHeight"], WIDTH), f"screenshot {shot.shape[:2]}"
    for f in seen["figures"]:
        x, y, w, h = (int(round(f[k])) for k in ("x", "y", "width", "height"))
        painted = shot[y:y + h, x:x + w]
        assert painted.shape[:2] == (h, w), f"{f['id']}: its box {x},{y} {w}x{h} is outside the screenshot"
        assert float(painted.std()) > 0.02, f"{f['id']}: blank in the screenshot"
        diff = float(np.abs(coarse(painted) - coarse(rgb(pngs[f["id"]]))).mean())
        # the figure itself: below 0.003 (0 at its own size); another figure: 0.02 and more
        assert diff < 0.01, f"{f['id']}: the screenshot differs from the figure by {diff:.4f} per channel"


def check_page(chromium, report_html, expected):
    """Opens the page `report_html` in Chromium, checks it shows the figures `expected`; returns its height."""
    page = open(report_html, encoding="utf-8").read()
    pngs = embedded_pngs(page)
    assert "</body>" in page and "<script" not in page
    stem = os.path.splitext(report_html)[0]
    probe = stem + ".probe.html"
    with open(probe, "w", encoding="utf-8") as fh:
        fh.write(page.replace("</body>", PROBE + "</body>"))
    height = browse(chromium, probe, 1000)["pageHeight"]
    shot = stem + ".png"
    seen = browse(chromium, probe, height, screenshot=shot)
    assert seen["pageHeight"] == height, \
        f"{report_html} is {seen['pageHeight']} px tall in a tall window, {height} in a short one"
    assert seen["external"] == [], f"{report_html} loads {seen['external']}; it should be self-contained"
    assert seen["pageWidth"] <= WIDTH and not seen["wide"], (
        f"{report_html} is {seen['pageWidth']} px wide in a {WIDTH} px window; reaching past it (right edge, px): "
        f"{seen['wide']}")
    check_figures(seen, pngs, expected)
    check_screenshot(shot, seen, pngs)
    return height
