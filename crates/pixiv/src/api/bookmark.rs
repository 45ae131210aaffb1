//! Bookmarks of works.

use pixiv_errors::PixivError;

use super::Restrict;
use crate::Client;

impl Client {
    /// `POST /v2/illust/bookmark/add` (form `illust_id`, `restrict`, and one `tags[]` per tag).
    pub async fn bookmark_add(
        &self,
        illust_id: u64,
        restrict: Restrict,
        tags: &[&str],
    ) -> Result<(), PixivError> {
        let mut form = vec![
            ("illust_id", illust_id.to_string()),
            ("restrict", restrict.as_str().to_owned()),
        ];
        form.extend(tags.iter().map(|t| ("tags[]", (*t).to_owned())));
        let _: serde::de::IgnoredAny = self.api_post_form("/v2/illust/bookmark/add", &form).await?;
        Ok(())
    }

    /// `POST /v1/illust/bookmark/delete` (form `illust_id`).
    pub async fn bookmark_delete(&self, illust_id: u64) -> Result<(), PixivError> {
        let _: serde::de::IgnoredAny = self
            .api_post_form(
                "/v1/illust/bookmark/delete",
                &[("illust_id", illust_id.to_string())],
            )
            .await?;
        Ok(())
    }
}
