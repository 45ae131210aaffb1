//! `config.toml` (issue #16.2): flags win over the environment, the environment over the file;
//! unknown keys are a usage error naming the key; `pixiv config path|show`.

mod common;

use common::{Env, run, text};
use pixiv_mock::DEMO_REFRESH_TOKEN;

fn write_config(env: &Env, body: &str) {
    std::fs::create_dir_all(env.config_dir()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(env.config_dir().join("config.toml"), body).unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_sets_defaults_environment_and_flags_win() {
    let env = Env::start().await;
    let base = env.base();
    // Every server from the file, the CA as a list: the file alone is enough.
    write_config(
        &env,
        &format!(
            "api-url = \"{base}\"\noauth-url = \"{base}\"\nimage-url = \"{base}\"\nca-cert = [{:?}]\n",
            env.ca.display().to_string()
        ),
    );
    let output = run(
        env.bare()
            .env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN)
            .args(["illust", "12"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));

    // The environment wins over the file: a dead API URL in the file is not used.
    write_config(
        &env,
        &format!(
            "api-url = \"http://127.0.0.1:9/\"\noauth-url = \"{base}\"\nimage-url = \"{base}\"\nca-cert = [{:?}]\nretries = 0\n",
            env.ca.display().to_string()
        ),
    );
    let output = run(
        env.bare()
            .env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN)
            .env("PIXIV_API_URL", &base)
            .args(["illust", "12"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // And the flag wins over the environment: a dead URL on the command line is used.
    let output = run(
        env.bare()
            .env("PIXIV_REFRESH_TOKEN", DEMO_REFRESH_TOKEN)
            .env("PIXIV_API_URL", &base)
            .args(["--api-url", "http://127.0.0.1:9/", "illust", "12"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));

    let output = run(
        env.bare()
            .env("PIXIV_API_URL", &base)
            .args(["config", "show"]),
        "",
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let shown = text(&output.stdout);
    assert!(
        shown.contains("api-url: overridden by PIXIV_API_URL"),
        "{shown}"
    );
    assert!(shown.contains("retries = 0"), "{shown}");
    let output = run(env.bare().args(["config", "path"]), "").await;
    assert_eq!(
        text(&output.stdout).trim(),
        env.config_dir().join("config.toml").display().to_string()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_key_is_a_usage_error_naming_it() {
    let env = Env::start().await;
    for (body, key) in [
        ("colour = \"never\"\n", "\"colour\""),
        ("[download]\njbos = 3\n", "\"jbos\""),
        ("[dowload]\njobs = 3\n", "[dowload]"),
        ("retries = \"many\"\n", "--retries"),
        ("not toml at all", "config.toml"),
    ] {
        write_config(&env, body);
        let output = run(env.pixiv().args(["illust", "12"]), "").await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{body}: {stderr}");
        assert!(stderr.contains(key), "{body}: {stderr}");
        assert!(env.mock.requests().is_empty(), "{body}: a request was made");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_show_hides_a_proxy_password_and_a_token() {
    let env = Env::start().await;
    write_config(
        &env,
        "proxy = \"socks5h://alice:hunter2-proxy-pass@127.0.0.1:1080\"\n\
         [login]\nrefresh-token = \"file-token-abcdefgh\"\n",
    );
    let output = run(env.bare().args(["config", "show"]), "").await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("socks5h://alice:redacted@127.0.0.1:1080"),
        "{stdout}"
    );
    assert!(stdout.contains("<redacted>"), "{stdout}");
    for secret in ["hunter2-proxy-pass", "file-token-abcdefgh"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{stdout}{stderr}"
        );
    }
}
