#!/usr/bin/env python3
"""A background job that shows its progress on the owner's pages through Gatehouse.

Python's standard library only. It creates a task for a user, posts its progress, stops when the
user cancels from a page (the answer to a progress call says so), and completes:

    GATEHOUSE_URL=http://127.0.0.1:8080 GATEHOUSE_KEY=$(./gatehouse apikey create --name worker --scopes publish) \
        python3 examples/task-progress/worker.py --owner local:alice --total 50

The owner is the user id as Gatehouse knows it: `local:NAME` for a user of `./gatehouse user add`,
the `sub` of your JWTs, or your backend's id. Every page of that user connected with the browser
client sees the task in `gh.tasks.onProgress` (see index.html beside this file).
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request


def call(method, path, body=None):
    """One call to the server API; the answer's JSON, or an exit with the refusal's code and hint."""
    request = urllib.request.Request(
        os.environ.get("GATEHOUSE_URL", "http://127.0.0.1:8080") + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": "apikey " + os.environ["GATEHOUSE_KEY"], "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as refused:
        detail = json.load(refused)
        sys.exit(f"{method} {path}: {refused.code} {detail.get('code')}: {detail.get('hint')}")


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--owner", required=True, help="the user id whose pages show the task")
    args.add_argument("--total", type=int, default=50)
    args.add_argument("--step-seconds", type=float, default=0.2, help="time per unit of work")
    options = args.parse_args()

    task = call("POST", "/api/v1/tasks",
                {"owner": options.owner, "kind": "import", "title": "Importing numbers", "total": options.total})
    print("task", task["id"], flush=True)
    for done in range(1, options.total + 1):
        time.sleep(options.step_seconds)  # the real work goes here
        answer = call("POST", f"/api/v1/tasks/{task['id']}/progress",
                      {"done": done, "message": f"row {done} of {options.total}"})
        if answer.get("cancel_requested"):
            call("POST", f"/api/v1/tasks/{task['id']}/cancelled")
            print("cancelled at", done, flush=True)
            return
    call("POST", f"/api/v1/tasks/{task['id']}/complete", {"result": {"rows": options.total}})
    print("completed", flush=True)


if __name__ == "__main__":
    main()
