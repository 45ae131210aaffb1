//! Works: detail, related, ugoira metadata.

use pixiv_errors::PixivError;

use super::FILTER;
use crate::models::{Illust, IllustDetail, UgoiraMetadata, UgoiraMetadataResponse};
use crate::{Client, Page};

impl Client {
    /// `GET /v1/illust/detail?illust_id=`: one work.
    pub async fn illust_detail(&self, illust_id: u64) -> Result<Illust, PixivError> {
        let detail: IllustDetail = self
            .api_get("/v1/illust/detail", &[("illust_id", illust_id.to_string())])
            .await?;
        Ok(detail.illust)
    }

    /// `GET /v2/illust/related?illust_id=&filter=for_ios`: works like this one. The `next_url`s
    /// carry repeated `seed_illust_ids[]` and `viewed[]`, which the pagination re-sends.
    pub async fn illust_related(&self, illust_id: u64) -> Result<Page<Illust>, PixivError> {
        let answer = self
            .api_get(
                "/v2/illust/related",
                &[
                    ("illust_id", illust_id.to_string()),
                    ("filter", FILTER.to_owned()),
                ],
            )
            .await?;
        Page::from_answer(self, "illusts", answer)
    }

    /// `GET /v1/ugoira/metadata?illust_id=`: the frames' zip and delays of an ugoira.
    pub async fn ugoira_metadata(&self, illust_id: u64) -> Result<UgoiraMetadata, PixivError> {
        let answer: UgoiraMetadataResponse = self
            .api_get(
                "/v1/ugoira/metadata",
                &[("illust_id", illust_id.to_string())],
            )
            .await?;
        Ok(answer.ugoira_metadata)
    }
}
