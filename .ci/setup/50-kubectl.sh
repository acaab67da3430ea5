# Debian's kubectl, for the tests that drive a site with it (tests/Fornax.Node.Tests/Kubectl).
command -v kubectl >/dev/null || apt_install kubernetes-client
