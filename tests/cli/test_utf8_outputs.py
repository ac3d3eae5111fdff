"""Every `mlops drift` output that is UTF-8 by its format stays UTF-8 when a
CSV column name or label is not (a Latin-1 file): the JSON document, the
HTML report (declared `charset="utf-8"`) and the Prometheus exposition
(UTF-8 label values) write U+FFFD for each byte outside a valid sequence,
and escape markup, quotes and line feeds. Oracles: Python's strict UTF-8
decoder, json and html.parser. MLOPS_CLI names the binary under test.
"""
import html.parser
import json
import os
import subprocess

CLI = os.environ.get("MLOPS_CLI", "mlops")

REF_LABELS = [b'"x\ny"', b'"q""u"', b"\xff\xfe", b"<b>&amp;", b'"a,b"', b"caf\xc3\xa9"]
CUR_LABELS = [b'"x\ny"', b"\xff\xfe", b"\xff\xfe", b'"a,b"', b"new\xc3", b"\xe2\x82"]


def csv(path, labels):
    rows = b"".join(labels[i % len(labels)] + b",%d\n" % (i % 3) for i in range(240))
    path.write_bytes(b'"la\xffbel <&>",n\n' + rows)
    return str(path)


def test_drift_outputs_are_utf8_whatever_the_csv_bytes(tmp_path):
    ref, cur = csv(tmp_path / "r.csv", REF_LABELS), csv(tmp_path / "c.csv", CUR_LABELS)
    r = subprocess.run([CLI, "drift", ref, cur, "--json"], capture_output=True)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout.decode("utf-8"))
    assert doc["features"][0]["feature"] == "la\ufffdbel <&>"

    page = tmp_path / "r.html"
    r = subprocess.run([CLI, "drift", ref, cur, "--html", str(page)], capture_output=True)
    assert r.returncode == 1, r.stderr
    text = page.read_bytes().decode("utf-8")  # strict: raises on a raw 0xff
    texts = []

    class Collect(html.parser.HTMLParser):
        def handle_data(self, data):
            texts.append(data)

    Collect(convert_charrefs=True).feed(text)
    assert "la\ufffdbel <&>" in texts
    assert "<b>&amp;amp;" not in text and "<&>" not in text  # markup escaped

    prom = tmp_path / "m.prom"
    r = subprocess.run([CLI, "drift", ref, cur, "--format", "prometheus", "-o", str(prom)],
                       capture_output=True)
    assert r.returncode == 1, r.stderr
    lines = prom.read_bytes().decode("utf-8").splitlines()
    assert any(l.startswith('mlops_drift_statistic{feature="la\ufffdbel <&>",') for l in lines)
