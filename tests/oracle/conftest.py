"""Session header and summary of the exact-arithmetic drift oracle."""
import drift_exact_support as support


def pytest_report_header(config):
    return support.header()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in support.summary_lines():
        terminalreporter.write_line(line)
