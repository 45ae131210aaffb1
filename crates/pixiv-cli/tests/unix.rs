//! The command as a Unix tool (issue #16): completions, the manual page, `--help`'s
//! environment/files/exit-code sections, login from stdin and the cached access token.

mod common;

use common::{Env, run, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bash_completions_name_the_subcommands() {
    let env = Env::start().await;
    let output = run(env.bare().args(["completions", "bash"]), "").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let script = text(&output.stdout);
    for word in [
        "download",
        "login",
        "logout",
        "completions",
        "man",
        "--max-size",
    ] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let output = run(env.bare().args(["completions", shell]), "").await;
        assert_eq!(output.status.code(), Some(0), "{shell}");
        assert!(text(&output.stdout).contains("download"), "{shell}");
    }
    let output = run(env.bare().args(["completions", "tcsh"]), "").await;
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn man_prints_a_roff_page_with_environment_and_exit_codes() {
    let env = Env::start().await;
    let output = run(env.bare().arg("man"), "").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let page = text(&output.stdout);
    // clap_mangen defines the apostrophe string first, then the title macro.
    let first_macro = page
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .unwrap_or_default();
    assert!(first_macro.starts_with(".TH pixiv 1"), "{first_macro}");
    for word in [
        "PIXIV_REFRESH_TOKEN",
        "PIXIV_CONFIG_DIR",
        "NO_COLOR",
        "Exit codes",
    ] {
        assert!(page.contains(word), "man page lacks {word}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_help_lists_environment_files_and_exit_codes() {
    let env = Env::start().await;
    let output = run(env.bare().arg("--help"), "").await;
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for word in [
        "PIXIV_REFRESH_TOKEN",
        "PIXIV_CONFIG_DIR",
        "HTTPS_PROXY",
        "NO_COLOR",
        "refresh_token",
        "access_token",
        "config.toml",
        "archive.sqlite3",
        "130 Ctrl-C",
    ] {
        assert!(help.contains(word), "--help lacks {word}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_reads_the_token_from_stdin_and_refuses_an_empty_one() {
    let env = Env::start().await;
    let file = env.config_dir().join("refresh_token");
    for empty in ["", "  \n\t\n"] {
        let output = run(env.pixiv().args(["login", "--refresh-token", "-"]), empty).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("empty"), "{stderr}");
        assert!(!file.exists(), "an empty token was stored");
    }
    let output = run(env.pixiv().args(["login", "--refresh-token", " "]), "").await;
    assert_eq!(output.status.code(), Some(2));
    assert!(!file.exists());
    let output = run(
        env.pixiv()
            .args(["login", "--no-verify", "--refresh-token", "-"]),
        "from-stdin-token\n",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "from-stdin-token\n"
    );
}

/// The cache file's lines: expiry (Unix seconds), owner fingerprint, token.
#[allow(clippy::unwrap_used)] // a test helper: a missing cache fails the test
fn cache_lines(env: &Env) -> Vec<String> {
    std::fs::read_to_string(env.config_dir().join("access_token"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[allow(clippy::unwrap_used)] // a test helper
fn write_cache(env: &Env, lines: &[String]) {
    std::fs::write(env.config_dir().join("access_token"), lines.join("\n")).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consecutive_commands_share_one_cached_access_token() {
    let env = Env::start().await;
    for _ in 0..2 {
        let output = run(env.pixiv().args(["illust", "12"]), "").await;
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    }
    assert_eq!(
        env.mock.requests_to("/auth/token").len(),
        1,
        "one token call"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(env.config_dir().join("access_token")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let lines = cache_lines(&env);
    assert_eq!(lines.len(), 3, "{lines:?}");

    // Expired: refreshed, and the new token cached.
    let mut expired = lines.clone();
    expired[0] = "1".to_owned();
    write_cache(&env, &expired);
    let output = run(env.pixiv().args(["illust", "12"]), "").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(env.mock.requests_to("/auth/token").len(), 2);
    assert_ne!(cache_lines(&env)[0], "1");

    // Rejected by the server (unknown to it): refreshed after the invalid-token answer.
    let mut rejected = cache_lines(&env);
    rejected[2] = "not-a-token-the-server-issued".to_owned();
    write_cache(&env, &rejected);
    let output = run(env.pixiv().args(["illust", "12"]), "").await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(env.mock.requests_to("/auth/token").len(), 3);

    // Another account's refresh token does not use this cache.
    let output = run(
        env.pixiv()
            .env("PIXIV_REFRESH_TOKEN", "another-account")
            .args(["illust", "12"]),
        "",
    )
    .await;
    assert_ne!(output.status.code(), Some(0), "the mock refuses that token");
    assert_eq!(env.mock.requests_to("/auth/token").len(), 4);

    // logout removes both files.
    std::fs::write(env.config_dir().join("refresh_token"), "x\n").unwrap();
    let output = run(env.bare().arg("logout"), "").await;
    assert_eq!(output.status.code(), Some(0));
    assert!(!env.config_dir().join("refresh_token").exists());
    assert!(!env.config_dir().join("access_token").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn color_flag_wins_over_no_color_and_a_pipe() {
    let env = Env::start().await;
    let ansi = |out: &[u8]| text(out).contains('\u{1b}');
    let output = run(
        env.bare()
            .env("NO_COLOR", "1")
            .args(["--color", "always", "--help"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0));
    assert!(
        ansi(&output.stdout),
        "--color always colours help even into a pipe"
    );
    let output = run(env.bare().args(["--color=always", "downlod"]), "").await;
    assert_eq!(output.status.code(), Some(2));
    assert!(ansi(&output.stderr), "and clap's errors");
    for args in [&["--color", "never", "--help"][..], &["--help"][..]] {
        let output = run(env.bare().args(args), "").await;
        assert!(!ansi(&output.stdout), "{args:?}: no colour");
    }
    let output = run(env.bare().args(["--color", "sometimes", "logout"]), "").await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--color"),
        "{}",
        text(&output.stderr)
    );
}
