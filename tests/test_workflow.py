"""The CI publishing recipe (.github/workflows/publish.yml), which cannot run here: its YAML
parses and has the structure GitHub Pages needs, and the make targets it calls exist."""

from __future__ import annotations

import subprocess

import yaml

from sitecheck import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def load() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def test_the_workflow_tests_publishes_and_deploys_to_pages():
    workflow = load()
    assert "main" in workflow["on"]["push"]["branches"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False

    build = workflow["jobs"]["build"]
    assert build["container"]["image"] == "debian:12"
    steps = build["steps"]
    order = [uses(s) or s["run"].split()[0] + " " + s["run"].split()[1] for s in steps]
    checkout = order.index("actions/checkout")
    test = order.index("make test")
    publish = order.index("make publish")
    upload = order.index("actions/upload-pages-artifact")
    assert checkout < test < publish < upload
    assert steps[publish]["env"]["SITEURL"].startswith("${{ vars.SITEURL")
    target = steps[publish]["run"].split("TARGET=")[1].split()[0]
    assert steps[upload]["with"]["path"].rstrip("/") == target
    for step in steps:
        if "uses" in step:
            assert "@v" in step["uses"], step  # pinned to a major version

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [uses(s) for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert deploy["steps"][0]["id"] == "deployment"


def test_the_make_targets_the_workflow_runs_exist():
    run = subprocess.run(
        ["make", "-n", "publish", "TARGET=public", "SITEURL=https://archive.example.org"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert 'invoke publish --target "public" --siteurl "https://archive.example.org"' in run.stdout
    assert subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True).returncode == 0
