import logging
import re

from odoo.tests import HttpCase, no_retry, tagged
from odoo.tools.misc import file_open

from odoo.addons.web.tests.test_js import (
    RE_FORBIDDEN_STATEMENTS,
    HOOTCommon,
    unit_test_error_checker,
)

SUITE = "@call_campaign"
# hoot's last word when no test failed: "passed 12 tests (34 assertions, …)"
RE_PASSED = re.compile(r"passed (\d+) tests \(")


class _Messages(logging.Handler):
    """What the browser wrote to its console."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@tagged("call_campaign", "post_install", "-at_install")
class TestJsUnitTests(HttpCase):
    """The add-on's hoot tests (static/tests/*.test.js) in a headless
    browser: its own suite only, which must hold tests."""

    def run_suite(self, suite):
        """Run ``suite``; return how many tests hoot says passed: it reports
        success when all of them are skipped (a filter matching no test
        stops it before it starts: browser_js fails on its timeout)."""
        # the filter Odoo's runner gives hoot: the hash of the suite's name
        suite_hash = HOOTCommon._generate_hash(self, suite)
        browser_logger = self._logger.getChild("browser")
        console = _Messages()
        browser_logger.addHandler(console)
        try:
            self.browser_js(
                "/web/tests?headless&loglevel=2&preset=desktop&timeout=15000"
                f"&suite={suite_hash}",
                "",
                "",
                login="admin",
                timeout=300,
                success_signal="[HOOT] test suite succeeded",
                error_checker=unit_test_error_checker,
            )
        finally:
            browser_logger.removeHandler(console)
        passed = [
            int(match.group(1))
            for match in map(RE_PASSED.search, console.messages)
            if match
        ]
        self.assertTrue(passed, "hoot did not say how many tests passed")
        return passed[-1]

    @no_retry
    def test_unit_tests(self):
        self.assertGreater(self.run_suite(SUITE), 0, f"no test ran in {SUITE}")

    def test_no_only_or_debug(self):
        """A test left with .only() or .debug() would hide the others."""
        assets = self.env["ir.qweb"]._get_asset_content("web.assets_unit_tests")[0]
        test_files = [
            asset["filename"]
            for asset in assets
            if asset["url"].startswith("/call_campaign/static/tests/")
            and asset["filename"].endswith(".test.js")
        ]
        self.assertTrue(test_files, "no call_campaign test in web.assets_unit_tests")
        for filename in test_files:
            with file_open(filename, "rb", filter_ext=(".js",)) as test_file:
                found = RE_FORBIDDEN_STATEMENTS.search(test_file.read().decode())
            self.assertIsNone(found, f".only() or .debug() left in {filename}")
