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
