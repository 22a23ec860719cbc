//! Architect data tables and rows. Last-write-wins on the real platform; the seeds' ETag layer
//! adds `If-Match` on the table.

use futures_util::Stream;
use switchboard_api::datatable::{DataTable, DataTableRow};

use crate::error::Result;
use crate::paging::{LIST_PAGE_SIZE, paged};
use crate::platform::Platform;
use crate::request::ApiRequest;
use crate::typed::{Versioned, fetch, fetch_nothing, fetch_versioned, segment};

const PATH: &str = "/api/v2/flows/datatables";

pub struct DataTables<'a, P: ?Sized> {
    pub(crate) platform: &'a P,
}

impl<'a, P: Platform + ?Sized> DataTables<'a, P> {
    fn item(id: &str) -> String {
        format!("{PATH}/{}", segment(id))
    }

    fn row_path(id: &str, key: &str) -> String {
        format!("{}/rows/{}", Self::item(id), segment(key))
    }

    /// Every table, with its schema when `with_schema`.
    pub fn list(self, with_schema: bool) -> impl Stream<Item = Result<DataTable>> + Send + 'a {
        let mut request = ApiRequest::get(PATH).about("data table", None);
        if with_schema {
            request = request.query("expand", "schema");
        }
        paged(self.platform, request, LIST_PAGE_SIZE)
    }

    pub async fn get(self, id: &str) -> Result<Versioned<DataTable>> {
        let request = ApiRequest::get(Self::item(id)).query("expand", "schema").about("data table", Some(id));
        fetch_versioned(self.platform, request).await
    }

    pub async fn create(self, table: &DataTable) -> Result<DataTable> {
        fetch(self.platform, ApiRequest::post(PATH).about("data table", None).json(table)?).await
    }

    /// PUT; columns may be added, never removed (the platform answers 400).
    pub async fn update_with_etag(self, id: &str, table: &DataTable, etag: Option<&str>) -> Result<Versioned<DataTable>> {
        let request = ApiRequest::put(Self::item(id)).about("data table", Some(id)).json(table)?.if_match(etag.map(str::to_owned));
        fetch_versioned(self.platform, request).await
    }

    pub async fn delete(self, id: &str) -> Result<()> {
        fetch_nothing(self.platform, ApiRequest::delete(Self::item(id)).about("data table", Some(id))).await
    }

    /// Every row, full (`showbrief=false`) so all columns are present.
    pub fn rows(self, id: &str) -> impl Stream<Item = Result<DataTableRow>> + Send + 'a {
        let request = ApiRequest::get(format!("{}/rows", Self::item(id))).query("showbrief", false).about("data table row", Some(id));
        paged(self.platform, request, LIST_PAGE_SIZE)
    }

    pub async fn row(self, id: &str, key: &str) -> Result<DataTableRow> {
        fetch(self.platform, ApiRequest::get(Self::row_path(id, key)).query("showbrief", false).about("data table row", Some(key))).await
    }

    /// Adds a row; its `key` must be new, else `Conflict`.
    pub async fn create_row(self, id: &str, row: &DataTableRow) -> Result<DataTableRow> {
        let request = ApiRequest::post(format!("{}/rows", Self::item(id))).about("data table row", Some(id)).json(row)?;
        fetch(self.platform, request).await
    }

    pub async fn update_row(self, id: &str, key: &str, row: &DataTableRow) -> Result<DataTableRow> {
        fetch(self.platform, ApiRequest::put(Self::row_path(id, key)).about("data table row", Some(key)).json(row)?).await
    }

    pub async fn delete_row(self, id: &str, key: &str) -> Result<()> {
        fetch_nothing(self.platform, ApiRequest::delete(Self::row_path(id, key)).about("data table row", Some(key))).await
    }
}
