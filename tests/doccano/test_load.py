"""Concurrent annotators under load, on SQLite and on PostgreSQL.

Eight annotator accounts, each a client making the REST calls of Doccano's annotation page
(spans and relations: create, change, delete, then the page's reload of the list) on
shared examples for LOAD_SECONDS, while `push` adds documents and `pull` runs over and
over. At the end every span a client made and did not delete is in the pulled
annotators/<user>.json with its offsets, and nothing else is; a request that failed was
retried until it succeeded, and none was given up. The figures (requests per second,
errors retried, final counts) are printed and kept in the test's report properties.
"""

import json
import os
import random
import re
import shutil
import sys
import threading
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import pytest
import requests

from newsspans.doccano import scheme
from newsspans.doccano.client import Connection
from newsspans.doccano.offsets import Utf16Index
from newsspans.doccano.project import find_project, setup_project, type_ids
from newsspans.doccano.pull import pull
from newsspans.doccano.push import example_key, push
from newsspans.errors import DoccanoError

pytestmark = pytest.mark.doccano

REPO = Path(__file__).resolve().parents[2]
LOAD_SECONDS = float(os.environ.get("NEWSSPANS_LOAD_SECONDS", "60"))
ANNOTATORS = 8
DOCS_FIRST, DOCS_ADDED, PUSH_BATCH = 6, 12, 3
PROJECT = "load"
# Labels whose mentions need no registry link: every state the clients leave is valid.
MENTION_LABELS = ("DATE", "CARDINAL", "PERCENT", "MONEY", "EVENT", "PRODUCT", "LAW", "QUANTITY")
CLAIM_CATEGORIES = ("statistic", "event", "prediction", "evaluation")
QUOTE_KINDS = ("direct", "indirect", "mixed")
ATTEMPTS, BACKOFF, BACKOFF_MAX = 10, 0.2, 3.0


def generated_corpus(out: Path) -> Path:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    generate.generate(DOCS_FIRST + DOCS_ADDED, 11, out)
    return out


class GaveUp(Exception):
    """A request that did not succeed within ATTEMPTS."""


class Annotator(threading.Thread):
    """One person on Doccano's annotation page: their own spans and relations only
    (the project is not collaborative), kept in `self.model` as the server should have them."""

    def __init__(self, url, name, password, pid, labels, relation_types, deadline, seed):
        super().__init__(name=name, daemon=True)
        self.url, self.user, self.password, self.pid = url, name, password, pid
        self.labels, self.relation_types = labels, relation_types
        self.label_names = {v: k for k, v in labels.items()}
        self.deadline, self.random = deadline, random.Random(seed)
        self.session = requests.Session()
        # Token authentication, as newsspans' client: a session cookie would demand CSRF tokens.
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.examples = {}  # id -> (doc_id, text, Utf16Index, paragraphs of word runs)
        # example id -> {"mentions": {sid: [s, e, label]}, "quotes": {sid: {...}}, "claims": {sid: {...}}}
        self.model = {}
        self.requests = self.retried = 0
        self.errors, self.failures = {}, []

    # HTTP with retries -----------------------------------------------------------------
    def login(self):
        answer = self.send("POST", "/v1/auth/login/", json={"username": self.user, "password": self.password},
                           auth=False)
        self.session.headers["Authorization"] = f"Token {answer['key']}"

    def send(self, method, path, json=None, params=None, auth=True, created=None):
        """The answer's JSON. Server errors and broken connections are retried with backoff;
        a create whose answer was lost is looked for (`created`) before it is sent again."""
        delay = BACKOFF
        for attempt in range(ATTEMPTS):
            self.requests += 1
            try:
                response = self.session.request(method, self.url + path, json=json, params=params, timeout=60)
                status = response.status_code
            except requests.RequestException as exc:
                response, status = None, type(exc).__name__
            if response is not None and status < 500:
                if status == 404 and method == "DELETE" and attempt:
                    return None  # the lost answer of a delete that was done
                if status >= 400:
                    self.failures.append(f"{method} {path}: HTTP {status} {response.text[:200]}")
                    raise GaveUp(self.failures[-1])
                return response.json() if response.content else None
            key = f"{status} " + (re.sub(r"\s+", " ", response.text[:80]) if response is not None else "")
            self.errors[key] = self.errors.get(key, 0) + 1
            self.retried += 1
            time.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)
            if created is not None:
                found = created()
                if found is not None:
                    return found
        self.failures.append(f"{method} {path}: gave up after {ATTEMPTS} attempts (last {status})")
        raise GaveUp(self.failures[-1])

    # What the page does ----------------------------------------------------------------
    def base(self, eid):
        return f"/v1/projects/{self.pid}/examples/{eid}"

    def refresh_examples(self):
        listing = self.send("GET", f"/v1/projects/{self.pid}/examples", params={"limit": 100, "offset": 0})
        for example in listing["results"]:
            if example["id"] not in self.examples and example_key(example):
                text = example["text"]
                runs = [[(m.start(), m.end()) for m in re.finditer(r"\S+", p.group())]
                        for p in re.finditer(r"[^\n]+", text)]
                offsets = [[(p.start() + s, p.start() + e) for s, e in words]
                           for p, words in zip(re.finditer(r"[^\n]+", text), runs) if len(words) >= 12]
                self.examples[example["id"]] = (example_key(example)[0], text, Utf16Index(text), offsets)
                self.model[example["id"]] = {"mentions": {}, "quotes": {}, "claims": {}}

    def u16(self, eid, start, end):
        index = self.examples[eid][2]
        return index.to_utf16(start), index.to_utf16(end)

    def pick_run(self, eid, shortest, longest, within=None):
        paragraphs = self.examples[eid][3]
        words = within or self.random.choice(paragraphs)
        n = self.random.randint(shortest, min(longest, len(words)))
        first = self.random.randrange(0, len(words) - n + 1)
        return words[first][0], words[first + n - 1][1]

    def taken(self, eid, layer, start, end):
        return any((x["start"], x["end"]) == (start, end) for x in self.model[eid][layer].values())

    def new_span(self, eid, layer, start, end, label):
        s16, e16 = self.u16(eid, start, end)
        body = {"start_offset": s16, "end_offset": e16, "label": self.labels[label]}
        known = {sid for layer_ in self.model[eid].values() for sid in layer_} | \
            {q["cue"] for q in self.model[eid]["quotes"].values() if q["cue"]}

        def created():
            for span in self.send("GET", f"{self.base(eid)}/spans"):
                if span["id"] not in known and (span["start_offset"], span["end_offset"], span["label"]) == \
                        (s16, e16, body["label"]):
                    return span
            return None
        sid = self.send("POST", f"{self.base(eid)}/spans", json=body, created=created)["id"]
        self.send("GET", f"{self.base(eid)}/spans")  # the page reloads its spans
        return sid

    def new_relation(self, eid, source, target, kind):
        body = {"from_id": source, "to_id": target, "type": self.relation_types[kind]}

        def created():
            for rel in self.send("GET", f"{self.base(eid)}/relations"):
                if (rel["from_id"], rel["to_id"], rel["type"]) == (source, target, body["type"]):
                    return rel
            return None
        rid = self.send("POST", f"{self.base(eid)}/relations", json=body, created=created)["id"]
        self.send("GET", f"{self.base(eid)}/relations")
        return rid

    def delete(self, eid, what, ident):
        self.send("DELETE", f"{self.base(eid)}/{what}/{ident}")

    # Actions ---------------------------------------------------------------------------
    def add_mention(self, eid):
        start, end = self.pick_run(eid, 1, 3)
        if not self.taken(eid, "mentions", start, end):
            label = self.random.choice(MENTION_LABELS)
            sid = self.new_span(eid, "mentions", start, end, label)
            self.model[eid]["mentions"][sid] = {"start": start, "end": end, "label": label}

    def relabel_mention(self, eid):
        mentions = self.model[eid]["mentions"]
        if mentions:
            sid = self.random.choice(sorted(mentions))
            label = self.random.choice([x for x in MENTION_LABELS if x != mentions[sid]["label"]])
            self.send("PATCH", f"{self.base(eid)}/spans/{sid}", json={"label": self.labels[label]})
            mentions[sid]["label"] = label

    def delete_mention(self, eid):
        mentions = self.model[eid]["mentions"]
        if mentions:
            sid = self.random.choice(sorted(mentions))
            self.delete(eid, "spans", sid)
            del mentions[sid]

    def add_quote(self, eid):
        words = self.random.choice(self.examples[eid][3])
        start, end = self.pick_run(eid, 4, 10, within=words[:-2])
        if self.taken(eid, "quotes", start, end):
            return
        kind = self.random.choice(QUOTE_KINDS)
        sid = self.new_span(eid, "quotes", start, end, scheme.quote_label(kind))
        quote = {"start": start, "end": end, "kind": kind, "cue": None, "cue_at": None, "cue_rel": None}
        self.model[eid]["quotes"][sid] = quote
        after = [w for w in words if w[0] > end]
        if after:
            cue_at = self.random.choice(after)
            quote["cue"] = self.new_span(eid, "cues", *cue_at, scheme.CUE_LABEL)
            quote["cue_at"] = cue_at
            quote["cue_rel"] = self.new_relation(eid, sid, quote["cue"], "cue")

    def move_cue(self, eid):
        """Draw the cue again elsewhere: a new CUE span, the relation changed, the old one gone."""
        quotes = {k: q for k, q in self.model[eid]["quotes"].items() if q["cue"]}
        if not quotes:
            return
        sid = self.random.choice(sorted(quotes))
        quote = quotes[sid]
        words = next(p for p in self.examples[eid][3] if p[0][0] <= quote["start"] < p[-1][1])
        choices = [w for w in words if w[0] > quote["end"] and w != tuple(quote["cue_at"])]
        if not choices:
            return
        cue_at = self.random.choice(choices)
        new = self.new_span(eid, "cues", *cue_at, scheme.CUE_LABEL)
        self.send("PATCH", f"{self.base(eid)}/relations/{quote['cue_rel']}", json={"to_id": new})
        old, quote["cue"], quote["cue_at"] = quote["cue"], new, cue_at
        self.delete(eid, "spans", old)

    def add_claim(self, eid):
        quotes = self.model[eid]["quotes"]
        inside = self.random.random() < 0.5 and quotes
        if inside:
            qid = self.random.choice(sorted(quotes))
            q = quotes[qid]
            words = [w for p in self.examples[eid][3] for w in p if q["start"] <= w[0] and w[1] <= q["end"]]
            start, end = self.pick_run(eid, 2, 6, within=words)
        else:
            qid = None
            start, end = self.pick_run(eid, 3, 8)
        if self.taken(eid, "claims", start, end):
            return
        category = self.random.choice(CLAIM_CATEGORIES)
        sid = self.new_span(eid, "claims", start, end, scheme.claim_label(category, True))
        claim = {"start": start, "end": end, "category": category, "quote": None, "rel": None}
        self.model[eid]["claims"][sid] = claim
        if qid is not None:
            claim["rel"] = self.new_relation(eid, sid, qid, "in_quote")
            claim["quote"] = qid

    def recategorise_claim(self, eid):
        claims = self.model[eid]["claims"]
        if claims:
            sid = self.random.choice(sorted(claims))
            category = self.random.choice([c for c in CLAIM_CATEGORIES if c != claims[sid]["category"]])
            self.send("PATCH", f"{self.base(eid)}/spans/{sid}", json={"label": self.labels[scheme.claim_label(category, True)]})
            claims[sid]["category"] = category

    def unlink_claim(self, eid):
        linked = {k: c for k, c in self.model[eid]["claims"].items() if c["rel"]}
        if linked:
            sid = self.random.choice(sorted(linked))
            self.delete(eid, "relations", linked[sid]["rel"])
            linked[sid]["rel"] = linked[sid]["quote"] = None

    def delete_claim(self, eid):
        claims = self.model[eid]["claims"]
        if claims:
            sid = self.random.choice(sorted(claims))
            if claims[sid]["rel"]:
                self.delete(eid, "relations", claims[sid]["rel"])
            self.delete(eid, "spans", sid)
            del claims[sid]

    def delete_quote(self, eid):
        quotes = self.model[eid]["quotes"]
        if not quotes:
            return
        sid = self.random.choice(sorted(quotes))
        for claim in self.model[eid]["claims"].values():
            if claim["quote"] == sid:
                self.delete(eid, "relations", claim["rel"])
                claim["rel"] = claim["quote"] = None
        quote = quotes.pop(sid)
        if quote["cue"]:
            self.delete(eid, "relations", quote["cue_rel"])
            self.delete(eid, "spans", quote["cue"])
        self.delete(eid, "spans", sid)

    ACTIONS = ((add_mention, 6), (relabel_mention, 2), (delete_mention, 2), (add_quote, 2), (move_cue, 1),
               (add_claim, 3), (recategorise_claim, 1), (unlink_claim, 1), (delete_claim, 1), (delete_quote, 1))

    def run(self):
        try:
            self.login()
            actions, weights = zip(*self.ACTIONS)
            done = 0
            while time.monotonic() < self.deadline:
                if done % 15 == 0:
                    self.refresh_examples()
                eid = self.random.choice(sorted(self.examples))
                self.random.choices(actions, weights)[0](self, eid)
                done += 1
        except GaveUp:
            pass
        except Exception as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
            self.failures.append(f"{type(exc).__name__}: {exc}")

    def expected(self, eid):
        """The layers this annotator's file must hold for example `eid`, as comparable tuples."""
        m = self.model[eid]
        quotes = {sid: (q["start"], q["end"]) for sid, q in m["quotes"].items()}
        return {"entities": sorted((x["start"], x["end"], x["label"], "NAM") for x in m["mentions"].values()),
                "quotes": sorted((q["start"], q["end"], q["kind"], tuple(q["cue_at"]) if q["cue"] else None)
                                 for q in m["quotes"].values()),
                "claims": sorted((c["start"], c["end"], c["category"], quotes[c["quote"]] if c["quote"] else None)
                                 for c in m["claims"].values())}


def pulled_layers(data):
    quotes = {q["id"]: (q["start"], q["end"]) for q in data["quotes"]}
    return {"entities": sorted((e["start"], e["end"], e["label"], e["mention"]) for e in data["entities"]
                               if e["entity"] is None),
            "linked": [e for e in data["entities"] if e["entity"] is not None],
            "quotes": sorted((q["start"], q["end"], q["kind"], (q["cue"]["start"], q["cue"]["end"])
                              if q["cue"] else None) for q in data["quotes"]),
            "claims": sorted((c["start"], c["end"], c["category"], quotes[c["quote"]] if c["quote"] else None)
                             for c in data["claims"]),
            "agents": [x for x in data["quotes"] + data["claims"] if x.get("speaker") or x.get("claimant")]}


class Background(threading.Thread):
    """Runs `step` until stopped, recording what each run returned or raised."""

    def __init__(self, name, step, pause=0.0):
        super().__init__(name=name, daemon=True)
        self.step, self.pause, self.stop = step, pause, threading.Event()
        self.results, self.errors = [], []

    def run(self):
        while not self.stop.is_set():
            try:
                result = self.step()
            except DoccanoError as exc:
                self.errors.append(str(exc))
            else:
                if result is StopIteration:
                    return
                self.results.append(result)
            self.stop.wait(self.pause)


def test_concurrent_annotators_push_and_pull(doccano_server, tmp_path, record_property, capsys):
    server = doccano_server
    root = generated_corpus(tmp_path / "corpus")
    admin = Connection(server["url"], server["username"], server["password"])
    setup_project(admin, root, PROJECT)
    pid = find_project(admin, PROJECT)["id"]
    docs = sorted(p.name for p in (root / "corpus").iterdir())
    assert push(root, admin, PROJECT, preannotate="gold", docs=docs[:DOCS_FIRST]).ok
    labels, relation_types = type_ids(admin, pid, "span-types"), type_ids(admin, pid, "relation-types")
    roles = {r["name"]: r["id"] for r in admin.get("/v1/roles")}
    users = []
    for n in range(ANNOTATORS):
        name, password = f"annotator{n + 1}", f"load-Secret-{n + 1}-x9"
        made = admin.post("/v1/users/create", json={"username": name, "email": f"{name}@example.invalid",
                                                      "password1": password, "password2": password})
        admin.post(f"/v1/projects/{pid}/members", json={"user": made["id"], "role": roles["annotator"]})
        users.append((name, password))

    started = time.monotonic()
    deadline = started + LOAD_SECONDS
    clients = [Annotator(server["url"], name, password, pid, labels, relation_types, deadline, seed=n)
               for n, (name, password) in enumerate(users)]
    batches = [docs[i:i + PUSH_BATCH] for i in range(DOCS_FIRST, len(docs), PUSH_BATCH)]
    pusher_conn = Connection(server["url"], server["username"], server["password"])
    pushed_at = []

    def push_next():
        if not batches:
            return StopIteration
        report = push(root, pusher_conn, PROJECT, preannotate="gold", docs=batches.pop(0))
        pushed_at.append(round(time.monotonic() - started, 1))
        return report

    puller_conn = Connection(server["url"], server["username"], server["password"])
    # The batches spread over the run; pushes that take longer only come closer together.
    pusher = Background("push", push_next, pause=LOAD_SECONDS / (len(batches) + 1))
    puller = Background("pull", lambda: pull(root, puller_conn, PROJECT))
    for thread in (*clients, pusher, puller):
        thread.start()
    for client in clients:
        client.join(LOAD_SECONDS + 600)
    annotating = time.monotonic() - started
    pusher.join(600)  # it ends when every batch is pushed
    puller.stop.set()
    puller.join(600)
    elapsed = time.monotonic() - started

    final = pull(root, admin, PROJECT)
    requests_made = sum(c.requests for c in clients)
    errors = {}
    for client in clients:
        for key, count in client.errors.items():
            errors[key] = errors.get(key, 0) + count
    counts = {layer: sum(len(c.model[e][layer]) for c in clients for e in c.model)
              for layer in ("mentions", "quotes", "claims")}
    counts["relations"] = sum(1 for c in clients for e in c.model for x in
                              list(c.model[e]["quotes"].values()) + list(c.model[e]["claims"].values())
                              if x.get("cue_rel") or x.get("rel"))
    figures = {"database": server["database"], "seconds": round(elapsed, 1), "annotators": ANNOTATORS,
               "annotating_seconds": round(annotating, 1), "annotator_requests": requests_made,
               "requests_per_second": round(requests_made / annotating, 1),
               "server_errors_retried": sum(errors.values()), "errors": errors,
               "requests_given_up": sum(len(c.failures) for c in clients),
               "pushes": len(pusher.results), "pushes_done_at_seconds": pushed_at, "push_errors": pusher.errors,
               "documents": len(admin.paginate(f"/v1/projects/{pid}/examples")),
               "pulls": len(puller.results), "pull_errors": puller.errors,
               "pulls_with_problems": sum(1 for r in puller.results if r.problems),
               "pull_problem_examples": sorted({p.split(": ", 1)[1][:120] for r in puller.results
                                                for p in r.problems})[:3],
               "final": counts, "files": len(final.written) + len(final.unchanged),
               "machine_load_average": round(os.getloadavg()[0], 1)}
    record_property("load", figures)
    with capsys.disabled():
        print(f"\nload test ({server['database']}): {json.dumps(figures)}")
    if os.environ.get("NEWSSPANS_LOAD_FIGURES"):
        with open(os.environ["NEWSSPANS_LOAD_FIGURES"], "a") as out:
            out.write(json.dumps(figures) + "\n")

    assert [f for c in clients for f in c.failures] == []
    assert pusher.errors == [] and puller.errors == []
    assert all(r.ok for r in pusher.results) and len(pusher.results) == len(docs[DOCS_FIRST:]) // PUSH_BATCH
    assert figures["documents"] == len(docs)
    assert final.ok, final.problems[:5]
    assert len(puller.results) >= 3
    assert counts["mentions"] > 8 * ANNOTATORS and requests_made > 30 * ANNOTATORS

    checked = 0
    for client in clients:
        for eid, (doc_id, *_) in client.examples.items():
            path = root / "annotations" / doc_id / "annotators" / f"{client.user}.json"
            wanted = client.expected(eid)
            if not path.is_file():
                assert wanted == {"entities": [], "quotes": [], "claims": []}, (client.user, doc_id)
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
            assert not data.get("rejected"), (client.user, doc_id, data["rejected"][:3])
            have = pulled_layers(data)
            assert have.pop("linked") == [] and have.pop("agents") == []
            assert have == wanted, (client.user, doc_id)
            checked += 1
    assert checked >= ANNOTATORS
