//! `pixiv download --max-size`: a file larger than the cap is refused and nothing is left; a
//! bad size is a usage error naming the units.

mod common;

use common::{Env, files, run, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_above_max_size_is_refused_and_nothing_is_left() {
    let env = Env::start().await;
    let base = env.base();
    let out = env.out();
    let output = run(
        env.pixiv()
            .args(["download", "--max-size", "1M", "-d"])
            .arg(&out)
            .arg(format!("{base}/size/{}/big.bin", 8u64 << 30))
            .arg(format!("{base}/size/1048576/fits.bin")),
        "",
    )
    .await;
    let stderr = text(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("larger than 1048576 bytes"), "{stderr}");
    let names: Vec<_> = files(&out)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["fits.bin"]);
    // The 8 GiB answer was refused from its Content-Length: hardly a byte of it was sent.
    assert!(
        env.mock.body_bytes_sent() < (8 << 20),
        "{}",
        env.mock.body_bytes_sent()
    );
}

#[tokio::test]
async fn a_bad_size_is_a_usage_error_naming_the_units() {
    let env = Env::start().await;
    let output = run(env.bare().args(["download", "--max-size", "lots", "x"]), "").await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("K, M, G or T"),
        "{}",
        text(&output.stderr)
    );
}
