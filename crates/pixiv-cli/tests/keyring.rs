//! `pixiv login --keyring` against a real Secret Service: each test starts its own D-Bus
//! session bus (`dbus-daemon`) and GNOME Keyring's secrets component on it, unlocked with a
//! password on stdin, and kills both at the end (docs/cli.md, "The keyring").
//!
//! `gnome-keyring` and `dbus` must be installed (`apt-get install gnome-keyring dbus`;
//! `.ci/run` does it): without them the tests fail saying so.
#![cfg(all(unix, feature = "keyring"))]
// Helpers outside `#[test]` functions unwrap too: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Env, run, text};
use pixiv_mock::DEMO_REFRESH_TOKEN;

/// A private session bus, with GNOME Keyring on it unless [`Keyring::None`].
struct SecretService {
    bus: Child,
    keyring: Option<Child>,
    address: String,
    _home: tempfile::TempDir,
}

/// What to install when a program is missing.
const INSTALL: &str = "apt-get install -y gnome-keyring dbus (.ci/run installs them)";

/// What runs on the test's bus.
#[derive(Clone, Copy, PartialEq)]
enum Keyring {
    /// GNOME Keyring, its login keyring unlocked with a password on stdin.
    Unlocked,
    /// GNOME Keyring never unlocked: it has no login keyring to store into.
    Locked,
    /// Nothing owns `org.freedesktop.secrets`.
    None,
}

impl SecretService {
    async fn start() -> SecretService {
        Self::start_with(Keyring::Unlocked).await
    }

    async fn start_with(kind: Keyring) -> SecretService {
        let home = tempfile::tempdir().unwrap();
        let dir = |name: &str| {
            let path = home.path().join(name);
            std::fs::create_dir_all(&path).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
            }
            path
        };
        // A bus of its own without service activation: only the keyring started here answers.
        let config = home.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" \
                 \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
                 <busconfig><type>session</type><listen>unix:dir={}</listen>\
                 <policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\
                 <allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n",
                dir("bus").display()
            ),
        )
        .unwrap();
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("dbus-daemon could not be run ({e}): {INSTALL}"));
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");

        if kind == Keyring::None {
            return SecretService {
                bus,
                keyring: None,
                address,
                _home: home,
            };
        }
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--components=secrets"])
            .args((kind == Keyring::Unlocked).then_some("--unlock"))
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", dir("data"))
            .env("XDG_CONFIG_HOME", dir("config"))
            .env("XDG_RUNTIME_DIR", dir("run"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("gnome-keyring-daemon could not be run ({e}): {INSTALL}"));
        // The login keyring's password; closing stdin ends it.
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"test-password").unwrap();
        drop(stdin);
        let service = SecretService {
            bus,
            keyring: Some(keyring),
            address,
            _home: home,
        };
        service.wait_for_name().await;
        service
    }

    /// Waits until the keyring owns `org.freedesktop.secrets` on the bus (at most 20 s).
    async fn wait_for_name(&self) {
        for _ in 0..400 {
            let out = tokio::process::Command::new("dbus-send")
                .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .await
                .unwrap_or_else(|e| panic!("dbus-send could not be run ({e}): {INSTALL}"));
            if text(&out.stdout).contains("boolean true") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("gnome-keyring-daemon did not register org.freedesktop.secrets on the test bus");
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for child in self.keyring.iter_mut().chain([&mut self.bus]) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `pixiv` against the mock, with no token in the environment, on the bus at `bus`.
fn pixiv(env: &Env, bus: &str) -> tokio::process::Command {
    let mut cmd = env.servers(&env.base());
    cmd.env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("XDG_RUNTIME_DIR", env.tmp.path());
    cmd
}

/// The refresh-token grants the mock's token endpoint answered.
fn refresh_grants(env: &Env) -> usize {
    env.mock
        .requests_to("/auth/token")
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains("grant_type=refresh_token"))
        .count()
}

fn token_file(env: &Env) -> PathBuf {
    env.config_dir().join("refresh_token")
}

fn marker(env: &Env) -> PathBuf {
    env.config_dir().join("refresh_token.keyring")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_keyring_stores_no_token_file_and_later_commands_log_in_from_it() {
    let service = SecretService::start().await;
    let env = Env::start().await;
    // A token file of an earlier file login: the keyring replaces it.
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(token_file(&env), "old-token\n").unwrap();

    let out = run(
        pixiv(&env, &service.address).args(["login", "--keyring", "--refresh-token", "-"]),
        &format!("{DEMO_REFRESH_TOKEN}\n"),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("OS keyring"), "{stderr}");
    assert_eq!(refresh_grants(&env), 1, "login checks the token once");
    // No token on disk: only the marker, which holds no secret.
    assert!(
        !token_file(&env).exists(),
        "{:?}",
        files_in(&env.config_dir())
    );
    let marked = std::fs::read_to_string(marker(&env)).unwrap();
    assert!(!marked.contains(DEMO_REFRESH_TOKEN), "{marked}");
    for name in files_in(&env.config_dir()) {
        let bytes = std::fs::read(env.config_dir().join(&name)).unwrap();
        assert!(
            !text(&bytes).contains(DEMO_REFRESH_TOKEN),
            "{name} holds the refresh token"
        );
    }

    // A later command logs in with the keyring's token: one refresh at the token endpoint.
    let out = run(pixiv(&env, &service.address).args(["illust", "12"]), "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(refresh_grants(&env), 2, "{stderr}");
    assert!(!token_file(&env).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_deletes_the_keyring_entry_and_the_marker() {
    let service = SecretService::start().await;
    let env = Env::start().await;
    let out = run(
        pixiv(&env, &service.address).args([
            "login",
            "--keyring",
            "--no-verify",
            "--refresh-token",
            "-",
        ]),
        &format!("{DEMO_REFRESH_TOKEN}\n"),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(marker(&env).exists());

    let out = run(pixiv(&env, &service.address).arg("logout"), "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("removed the refresh token from the OS keyring"),
        "{stderr}"
    );
    assert!(!marker(&env).exists());
    assert!(!token_file(&env).exists());

    // Not logged in any more, and the entry itself is gone: a new marker finds nothing.
    let out = run(pixiv(&env, &service.address).args(["illust", "12"]), "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not logged in"), "{stderr}");
    std::fs::write(marker(&env), "x\n").unwrap();
    let out = run(pixiv(&env, &service.address).args(["illust", "12"]), "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("holds no pixiv-rs refresh token"),
        "{stderr}"
    );
    assert_eq!(refresh_grants(&env), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_session_bus_is_one_line_exit_1_and_no_token_file() {
    let env = Env::start().await;
    let nobus = format!("unix:path={}", env.tmp.path().join("no-bus").display());
    let out = run(
        pixiv(&env, &nobus).args(["login", "--keyring", "--no-verify", "--refresh-token", "-"]),
        &format!("{DEMO_REFRESH_TOKEN}\n"),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("no keyring reachable"), "{stderr}");
    assert!(!stderr.contains(DEMO_REFRESH_TOKEN), "{stderr}");
    // Nothing written instead: no token file, no marker.
    assert_eq!(files_in(&env.config_dir()), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bus_without_secret_service_or_a_locked_keyring_is_one_line_exit_1() {
    for (kind, says) in [
        (Keyring::None, "no keyring reachable"),
        (Keyring::Locked, "the keyring is locked or not reachable"),
    ] {
        let service = SecretService::start_with(kind).await;
        let env = Env::start().await;
        let out = run(
            pixiv(&env, &service.address).args([
                "login",
                "--keyring",
                "--no-verify",
                "--refresh-token",
                "-",
            ]),
            &format!("{DEMO_REFRESH_TOKEN}\n"),
        )
        .await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(files_in(&env.config_dir()), Vec::<String>::new());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_login_after_a_keyring_login_moves_the_token_back_to_the_file() {
    let service = SecretService::start().await;
    let env = Env::start().await;
    let login = |keyring: bool| {
        let mut cmd = pixiv(&env, &service.address);
        cmd.arg("login").args(keyring.then_some("--keyring")).args([
            "--no-verify",
            "--refresh-token",
            "-",
        ]);
        cmd
    };
    let out = run(&mut login(true), &format!("{DEMO_REFRESH_TOKEN}\n")).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&mut login(false), &format!("{DEMO_REFRESH_TOKEN}\n")).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(token_file(&env)).unwrap().trim(),
        DEMO_REFRESH_TOKEN
    );
    assert!(!marker(&env).exists());
    // The keyring entry went too: a marker put back finds nothing there.
    std::fs::write(marker(&env), "x\n").unwrap();
    let out = run(pixiv(&env, &service.address).args(["illust", "12"]), "").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("holds no pixiv-rs refresh token"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_token_wins_over_the_keyring_without_touching_it() {
    let env = Env::start().await;
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(marker(&env), "x\n").unwrap();
    // No bus at all: the keyring would fail if it were asked.
    let nobus = format!("unix:path={}", env.tmp.path().join("no-bus").display());
    let out = run(
        pixiv(&env, &nobus)
            .env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN)
            .args(["illust", "12"]),
        "",
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(refresh_grants(&env), 1);
}
