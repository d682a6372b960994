//! Bindings to the device, location, scan, beacon, shop and address
//! interfaces of the JS-SDK 1.6.0 ("Equipment information", "Geographical
//! location", "Shake the neighborhood", "WeChat Sweep", "Weixin Store",
//! "Quick input" in WeChat's JS-SDK documentation), and the typed arguments
//! of `chooseImage`.

use serde::{Deserialize, Serialize};

/// `chooseImage`'s `sizeType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeType {
    Original,
    Compressed,
}

/// `chooseImage`'s `sourceType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceType {
    Album,
    Camera,
}

impl SizeType {
    pub fn as_str(self) -> &'static str {
        match self {
            SizeType::Original => "original",
            SizeType::Compressed => "compressed",
        }
    }
}

impl SourceType {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceType::Album => "album",
            SourceType::Camera => "camera",
        }
    }
}

impl super::ChooseImage {
    /// `chooseImage` arguments from typed values.
    pub fn new(count: u32, size: &[SizeType], source: &[SourceType]) -> super::ChooseImage {
        super::ChooseImage {
            count,
            size_type: size.iter().map(|s| s.as_str().to_string()).collect(),
            source_type: source.iter().map(|s| s.as_str().to_string()).collect(),
        }
    }
}

/// `getNetworkType`'s `networkType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkType {
    Wifi,
    G2,
    G3,
    G4,
    G5,
    /// No network.
    None,
    /// A value this list does not know.
    Other(String),
}

impl NetworkType {
    pub fn parse(s: &str) -> NetworkType {
        match s {
            "wifi" => NetworkType::Wifi,
            "2g" => NetworkType::G2,
            "3g" => NetworkType::G3,
            "4g" => NetworkType::G4,
            "5g" => NetworkType::G5,
            "none" => NetworkType::None,
            other => NetworkType::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            NetworkType::Wifi => "wifi",
            NetworkType::G2 => "2g",
            NetworkType::G3 => "3g",
            NetworkType::G4 => "4g",
            NetworkType::G5 => "5g",
            NetworkType::None => "none",
            NetworkType::Other(s) => s,
        }
    }
}

/// `getLocation`'s `type`: GPS coordinates, or the "Mars" coordinates
/// `openLocation` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LocationType {
    #[default]
    Wgs84,
    Gcj02,
}

impl LocationType {
    pub fn as_str(self) -> &'static str {
        match self {
            LocationType::Wgs84 => "wgs84",
            LocationType::Gcj02 => "gcj02",
        }
    }
}

/// What `getLocation` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// −90 … 90.
    pub latitude: f64,
    /// −180 … 180.
    pub longitude: f64,
    /// Metres per second.
    pub speed: f64,
    /// Metres.
    pub accuracy: f64,
}

/// `openLocation`'s arguments (the built-in map).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenLocation {
    pub latitude: f64,
    pub longitude: f64,
    pub name: String,
    pub address: String,
    /// Zoom, 1 … 28.
    pub scale: u8,
    /// A link shown under the map.
    pub info_url: String,
}

/// `scanQRCode`'s `scanType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanType {
    QrCode,
    BarCode,
}

impl ScanType {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanType::QrCode => "qrCode",
            ScanType::BarCode => "barCode",
        }
    }
}

/// An iBeacon seen by `onSearchBeacons` (fields as the shake-around
/// documentation gives them).
#[derive(Debug, Clone, PartialEq)]
pub struct Beacon {
    pub uuid: String,
    pub major: u32,
    pub minor: u32,
    pub accuracy: f64,
    pub proximity: String,
    pub rssi: i32,
    pub heading: f64,
}

/// `openProductSpecificView`'s `viewType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductView {
    /// 0: the ordinary product page.
    #[default]
    Normal,
    /// 1: the page a scan opens.
    Scan,
    /// 2: the Weixin Store page.
    Store,
}

impl ProductView {
    pub fn code(self) -> u8 {
        match self {
            ProductView::Normal => 0,
            ProductView::Scan => 1,
            ProductView::Store => 2,
        }
    }
}

/// The shared address `openAddress` answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Address {
    pub user_name: String,
    pub postal_code: String,
    pub province_name: String,
    pub city_name: String,
    /// The third level (district) of the national address standard.
    pub country_name: String,
    pub detail_info: String,
    pub national_code: String,
    pub tel_number: String,
}

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::wx::browser::{call, get, get_string, obj, required, s, strings};
    use crate::wx::{Listener, Outcome};
    use js_sys::{Array, Object};
    use wasm_bindgen::JsValue;

    fn num(v: &JsValue, key: &str) -> f64 {
        let v = get(v, key);
        v.as_f64()
            .or_else(|| v.as_string().and_then(|s| s.parse().ok()))
            .unwrap_or(0.0)
    }

    /// `getNetworkType`.
    pub async fn get_network_type() -> Outcome<NetworkType> {
        let r = call("getNetworkType", Object::new()).await?;
        Ok(NetworkType::parse(&required(
            &r,
            "getNetworkType",
            "networkType",
        )?))
    }

    /// `getLocation` in the coordinates `kind` names.
    pub async fn get_location(kind: LocationType) -> Outcome<Location> {
        let r = call("getLocation", obj(&[("type", s(kind.as_str()))])).await?;
        Ok(Location {
            latitude: num(&r, "latitude"),
            longitude: num(&r, "longitude"),
            speed: num(&r, "speed"),
            accuracy: num(&r, "accuracy"),
        })
    }

    /// `openLocation`: WeChat's built-in map at a place.
    pub async fn open_location(place: &OpenLocation) -> Outcome<()> {
        call(
            "openLocation",
            obj(&[
                ("latitude", JsValue::from_f64(place.latitude)),
                ("longitude", JsValue::from_f64(place.longitude)),
                ("name", s(&place.name)),
                ("address", s(&place.address)),
                ("scale", JsValue::from_f64(place.scale.clamp(1, 28) as f64)),
                ("infoUrl", s(&place.info_url)),
            ]),
        )
        .await
        .map(drop)
    }

    /// `scanQRCode`. With `need_result`, the scanned text (`resultStr`);
    /// without, WeChat handles the result itself and this answers `None`.
    pub async fn scan_qr_code(need_result: bool, types: &[ScanType]) -> Outcome<Option<String>> {
        let types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
        let r = call(
            "scanQRCode",
            obj(&[
                (
                    "needResult",
                    JsValue::from_f64(if need_result { 1.0 } else { 0.0 }),
                ),
                ("scanType", strings(&types)),
            ]),
        )
        .await?;
        Ok(if need_result {
            Some(required(&r, "scanQRCode", "resultStr")?)
        } else {
            None
        })
    }

    /// `openProductSpecificView`.
    pub async fn open_product_specific_view(product_id: &str, view: ProductView) -> Outcome<()> {
        call(
            "openProductSpecificView",
            obj(&[
                ("productId", s(product_id)),
                ("viewType", s(&view.code().to_string())),
            ]),
        )
        .await
        .map(drop)
    }

    /// `openAddress`: the address the user picked.
    pub async fn open_address() -> Outcome<Address> {
        let r = call("openAddress", Object::new()).await?;
        let f = |k: &str| get_string(&r, k).unwrap_or_default();
        Ok(Address {
            user_name: f("userName"),
            postal_code: f("postalCode"),
            province_name: f("provinceName"),
            city_name: f("cityName"),
            country_name: f("countryName"),
            detail_info: f("detailInfo"),
            national_code: f("nationalCode"),
            tel_number: f("telNumber"),
        })
    }

    /// `startSearchBeacons` with the shake-around `ticket` (empty when none).
    pub async fn start_search_beacons(ticket: &str) -> Outcome<()> {
        call("startSearchBeacons", obj(&[("ticket", s(ticket))]))
            .await
            .map(drop)
    }

    /// `stopSearchBeacons`.
    pub async fn stop_search_beacons() -> Outcome<()> {
        call("stopSearchBeacons", Object::new()).await.map(drop)
    }

    fn beacons(r: &JsValue) -> Vec<Beacon> {
        Array::from(&get(r, "beacons"))
            .iter()
            .map(|b| Beacon {
                uuid: get_string(&b, "uuid").unwrap_or_default(),
                major: num(&b, "major") as u32,
                minor: num(&b, "minor") as u32,
                accuracy: num(&b, "accuracy"),
                proximity: get_string(&b, "proximity").unwrap_or_default(),
                rssi: num(&b, "rssi") as i32,
                heading: num(&b, "heading"),
            })
            .collect()
    }

    /// `onSearchBeacons`: `handler` gets the beacons seen, each time, until
    /// the [`Listener`] is dropped.
    pub fn on_search_beacons(handler: impl FnMut(Outcome<Vec<Beacon>>) + 'static) -> Listener {
        Listener::on("onSearchBeacons", "complete", handler, |r| {
            crate::wx::browser::outcome(r).map(|()| beacons(r))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_arguments_spell_what_the_sdk_takes() {
        let c = crate::wx::ChooseImage::new(
            3,
            &[SizeType::Compressed],
            &[SourceType::Album, SourceType::Camera],
        );
        assert_eq!(c.count, 3);
        assert_eq!(c.size_type, ["compressed"]);
        assert_eq!(c.source_type, ["album", "camera"]);
        for n in ["wifi", "2g", "3g", "4g", "5g", "none"] {
            assert_eq!(NetworkType::parse(n).as_str(), n);
        }
        assert_eq!(NetworkType::parse("6g"), NetworkType::Other("6g".into()));
        assert_eq!(LocationType::default().as_str(), "wgs84");
        assert_eq!(LocationType::Gcj02.as_str(), "gcj02");
        assert_eq!(ScanType::QrCode.as_str(), "qrCode");
        assert_eq!(ScanType::BarCode.as_str(), "barCode");
        assert_eq!(
            [ProductView::Normal, ProductView::Scan, ProductView::Store].map(ProductView::code),
            [0, 1, 2]
        );
    }
}
