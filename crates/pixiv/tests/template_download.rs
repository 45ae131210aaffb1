//! `DownloadOptions::template` against pixiv-mock: pages land in the folders a template names,
//! and a template that would put two pages on one path is refused before any image request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use pixiv::PixivError;
use pixiv::download::{DownloadOptions, Template};

#[tokio::test]
async fn pages_go_where_the_template_says() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let work = client.illust_detail(12).await.unwrap();
    let template = Template::parse("{user.name} ({user.id})/{date:%Y}/{id}_p{num}.{ext}").unwrap();
    let files = client
        .download_illust(
            &work,
            dir.path(),
            &DownloadOptions::new().template(template),
        )
        .await
        .unwrap();
    assert_eq!(files.len(), 3);
    let folder = dir
        .path()
        .join(format!("{} ({})", work.user.name, work.user.id))
        .join(work.created_at().unwrap().year().to_string());
    for (page, file) in files.iter().enumerate() {
        assert_eq!(file.path, folder.join(format!("12_p{page}.png")));
        assert!(file.path.is_file());
    }
}

#[tokio::test]
async fn a_template_without_the_page_is_refused_before_any_image_request() {
    let mock = common::mock().await;
    let client = common::client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let work = client.illust_detail(12).await.unwrap();
    let options = DownloadOptions::new().template(Template::parse("{id}.{ext}").unwrap());
    let err = client
        .download_illust(&work, dir.path(), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, PixivError::InvalidInput { .. }), "{err:?}");
    assert!(
        mock.requests().iter().all(|r| !r.path.starts_with("/img-")),
        "an image was requested"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
