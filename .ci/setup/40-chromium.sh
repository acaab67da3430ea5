# The dashboard's browser tests (tests/Fornax.Dashboard.Tests) drive Debian's chromium with Playwright; no browser
# is ever downloaded.
[ -x /usr/lib/chromium/chromium ] || apt_install chromium
