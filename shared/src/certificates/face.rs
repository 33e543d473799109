//! The electronic certificate: its face (what is printed and sealed), the sealed document
//! the holder downloads, and its HTML rendering with a QR code that leads to public
//! verification.
//!
//! The face carries the ID number masked (as printed); the full number never leaves the
//! store. What is sealed is the canonical JSON of the face (see [`super::canonical`]).

use super::canonical::to_canonical;
use super::seal::{self, SealError};
use serde::{Deserialize, Serialize};

/// The schema name of a face, sealed with it (a change of fields is a new schema).
pub const FACE_SCHEMA: &str = "zhicheng.title-certificate/1";

/// The face of a certificate (证书信息): every field is printed and sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFace {
    /// [`FACE_SCHEMA`].
    pub schema: String,
    /// 证书编号
    pub certificate_no: String,
    /// 姓名
    pub name: String,
    /// 性别 (男/女)
    pub gender: String,
    /// 公民身份号码, masked (`430***********1236`)
    pub citizen_id: String,
    /// 工作单位
    pub unit: String,
    /// 系列
    pub series: String,
    /// 专业
    pub specialty: String,
    /// 职称名称 (资格名称)
    pub title: String,
    /// 职称层级 (副高级 / 正高级)
    pub level: String,
    /// 评审委员会
    pub committee: String,
    /// 审批（备案）文号
    pub approval_doc_no: String,
    /// 取得资格时间 (YYYY-MM-DD)
    pub obtained_on: String,
    /// 发证单位
    pub issuer: String,
    /// 发证单位编码
    pub issuer_code: String,
    /// 发证日期 (YYYY-MM-DD)
    pub issued_on: String,
    /// 取得方式 when not by review: 初定 or 认定 (annex 3 §1.4–1.5), whose `committee` is
    /// then the acceptance institution's certificate name (认定机构, §1.3). Absent for a
    /// title by review, so the faces sealed before it existed keep their canonical form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

impl CertificateFace {
    /// The canonical JSON that is sealed.
    pub fn canonical(&self) -> String {
        let v = serde_json::to_value(self).expect("a face serialises");
        to_canonical(&v).expect("a face has no floats")
    }
}

/// The seal on a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// [`seal::ALGORITHM`].
    pub algorithm: String,
    /// The distinguishing identifier ([`seal::DEFAULT_DISTID`]).
    pub distid: String,
    /// Which published key verifies it.
    pub key_id: String,
    /// `r ‖ s`, hex.
    pub signature: String,
}

/// The sealed certificate as downloaded: verifiable offline with the published key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedCertificate {
    /// The face; its canonical JSON is what the seal signs.
    pub certificate: CertificateFace,
    /// The seal.
    pub seal: Seal,
}

impl SealedCertificate {
    /// Whether the seal verifies under `public_key_hex` (hex SEC1).
    pub fn verify(&self, public_key_hex: &str) -> Result<bool, SealError> {
        if self.seal.algorithm != seal::ALGORITHM || self.seal.distid != seal::DEFAULT_DISTID {
            return Ok(false);
        }
        seal::verify(public_key_hex, self.certificate.canonical().as_bytes(), &self.seal.signature)
    }
}

/// The public verification address of a certificate (what the QR code holds): the
/// portal's verification page (issue 17), which a phone opens as a page and which calls
/// `GET /api/verify/certificates/{no}?code=` itself, checking the seal in the browser too.
pub fn verify_url(base_url: &str, certificate_no: &str, code: &str) -> String {
    format!("{}/verify/certificates/{certificate_no}?code={code}", base_url.trim_end_matches('/'))
}

/// The QR code of `text` as an SVG element (error correction M).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(160, 160).quiet_zone(true).build(),
        // Only a text beyond the largest QR version (~2 kB) fails; a URL never is.
        Err(_) => String::new(),
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The certificate as an HTML page (printable): the face, the seal, the verification code
/// and a QR code of [`verify_url`]. `revoked` prints the revocation across it.
pub fn render_html(doc: &SealedCertificate, code: &str, url: &str, revoked: bool) -> String {
    let c = &doc.certificate;
    let (body_label, method) = match &c.method {
        Some(m) => ("认定机构", m.clone()),
        None => ("评审委员会", "评审".to_owned()),
    };
    let rows = [
        ("证书编号", &c.certificate_no),
        ("姓名", &c.name),
        ("性别", &c.gender),
        ("身份证号", &c.citizen_id),
        ("工作单位", &c.unit),
        ("系列", &c.series),
        ("专业", &c.specialty),
        ("资格名称", &c.title),
        ("职称层级", &c.level),
        ("取得方式", &method),
        (body_label, &c.committee),
        ("审批文号", &c.approval_doc_no),
        ("取得资格时间", &c.obtained_on),
        ("发证单位", &c.issuer),
        ("发证日期", &c.issued_on),
    ];
    let mut table = String::new();
    for (k, v) in rows {
        table.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>\n", esc(k), esc(v)));
    }
    let stamp = if revoked { "<p class=\"revoked\">本证书已撤销</p>\n" } else { "" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>专业技术职务任职资格电子证书 {no}</title>\n\
         <style>body{{font-family:serif;max-width:720px;margin:2em auto}}th{{text-align:left;padding-right:1em}}\
         .revoked{{color:#c00;font-size:2em;font-weight:bold}}.seal{{font-family:monospace;word-break:break-all;font-size:.8em}}</style>\n\
         </head>\n<body>\n<h1>专业技术职务任职资格电子证书</h1>\n{stamp}<table>\n{table}</table>\n\
         <p>验证码：<strong>{code}</strong></p>\n<div class=\"qr\">{qr}</div>\n\
         <p>扫描二维码或访问 <a href=\"{url}\">{url}</a> 核验本证书。</p>\n\
         <p class=\"seal\">电子签章（{alg}，密钥 {key_id}）：{sig}</p>\n</body>\n</html>\n",
        no = esc(&c.certificate_no),
        code = esc(code),
        qr = qr_svg(url),
        url = esc(url),
        alg = esc(&doc.seal.algorithm),
        key_id = esc(&doc.seal.key_id),
        sig = esc(&doc.seal.signature),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::certificates::seal::SealKey;

    /// A face for tests.
    pub fn face() -> CertificateFace {
        CertificateFace {
            schema: FACE_SCHEMA.into(),
            certificate_no: "B042401000000001".into(),
            name: "王<医生>".into(),
            gender: "男".into(),
            citizen_id: "430***********1236".into(),
            unit: "湘雅某医院".into(),
            series: "卫生".into(),
            specialty: "内科学".into(),
            title: "副主任医师".into(),
            level: "副高级".into(),
            committee: "湖南省卫生系列高级职称评审委员会".into(),
            approval_doc_no: "湘人社职备〔2024〕15号".into(),
            obtained_on: "2024-09-27".into(),
            issuer: "湖南省人力资源和社会保障厅".into(),
            issuer_code: "0100".into(),
            issued_on: "2024-10-30".into(),
            method: None,
        }
    }

    fn sealed(key: &SealKey) -> SealedCertificate {
        let f = face();
        SealedCertificate {
            seal: Seal {
                algorithm: seal::ALGORITHM.into(),
                distid: seal::DEFAULT_DISTID.into(),
                key_id: key.key_id().into(),
                signature: key.sign(f.canonical().as_bytes()),
            },
            certificate: f,
        }
    }

    #[test]
    fn the_sealed_json_verifies_and_any_changed_field_breaks_it() {
        let key = SealKey::from_hex(&"2a".repeat(32)).unwrap();
        let doc = sealed(&key);
        assert_eq!(doc.verify(key.public_key_hex()), Ok(true));
        let json = serde_json::to_value(&doc).unwrap();
        for field in json["certificate"].as_object().unwrap().keys() {
            let mut t = json.clone();
            t["certificate"][field] =
                serde_json::Value::String(format!("{}x", t["certificate"][field].as_str().unwrap()));
            let t: SealedCertificate = serde_json::from_value(t).unwrap();
            assert_eq!(t.verify(key.public_key_hex()), Ok(false), "{field}");
        }
    }

    #[test]
    fn the_face_carries_only_the_masked_id_number() {
        let c = face().canonical();
        assert!(c.contains("430***********1236") && !c.contains("430102198503151236"));
        assert!(c.starts_with("{\"applicant\"") || c.starts_with("{\"approval_doc_no\""), "keys sorted: {c}");
    }

    #[test]
    fn the_html_escapes_the_fields_and_carries_a_qr_code_of_the_verification_address() {
        let key = SealKey::from_hex(&"2a".repeat(32)).unwrap();
        let doc = sealed(&key);
        let url = verify_url("http://h:3000/", "B042401000000001", "ABCD1234");
        assert_eq!(url, "http://h:3000/verify/certificates/B042401000000001?code=ABCD1234");
        let html = render_html(&doc, "ABCD1234", &url, false);
        assert!(html.contains("王&lt;医生&gt;") && !html.contains("王<医生>"));
        assert!(html.contains("<svg") && html.contains(&url));
        assert!(!html.contains("本证书已撤销"));
        assert!(render_html(&doc, "ABCD1234", &url, true).contains("本证书已撤销"));
    }
}
