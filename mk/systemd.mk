# systemd integration (Documentation/systemd.md): the functional tests in
# tests/systemd_*_test.go boot a throwaway systemd (tests/sdboot) and need
# machined (systemd-container) and a system bus (dbus) in it.
TEST_PKGS += systemd systemd-container dbus
