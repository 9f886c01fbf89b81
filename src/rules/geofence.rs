//! Government-related location data (28 CFR 202.222(a)(1)): any precise
//! location inside an area of the Government-Related Location Data List
//! counts at any volume. Areas come as GeoJSON polygons (`--geofence FILE`).

use serde_json::Value;

#[derive(Debug, Clone)]
struct Polygon {
    /// Outer ring then holes, as (lon, lat) like GeoJSON.
    rings: Vec<Vec<(f64, f64)>>,
    bbox: (f64, f64, f64, f64),
}

#[derive(Debug, Clone, Default)]
pub struct Geofence {
    polys: Vec<Polygon>,
}

impl Geofence {
    pub fn from_geojson(text: &str) -> Result<Geofence, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let mut g = Geofence::default();
        collect(&v, &mut g.polys)?;
        if g.polys.is_empty() {
            return Err("no Polygon or MultiPolygon geometry found".into());
        }
        Ok(g)
    }

    pub fn len(&self) -> usize {
        self.polys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.polys.is_empty()
    }

    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.polys.iter().any(|p| {
            let (x0, y0, x1, y1) = p.bbox;
            lon >= x0
                && lon <= x1
                && lat >= y0
                && lat <= y1
                && inside(&p.rings[0], lon, lat)
                && !p.rings[1..].iter().any(|h| inside(h, lon, lat))
        })
    }
}

fn collect(v: &Value, out: &mut Vec<Polygon>) -> Result<(), String> {
    match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            for f in v
                .get("features")
                .and_then(Value::as_array)
                .ok_or("FeatureCollection without features")?
            {
                collect(f, out)?;
            }
        }
        Some("Feature") => {
            if let Some(g) = v.get("geometry")
                && !g.is_null()
            {
                collect(g, out)?;
            }
        }
        Some("GeometryCollection") => {
            for g in v
                .get("geometries")
                .and_then(Value::as_array)
                .ok_or("GeometryCollection without geometries")?
            {
                collect(g, out)?;
            }
        }
        Some("Polygon") => out.push(polygon(v.get("coordinates"))?),
        Some("MultiPolygon") => {
            for p in v
                .get("coordinates")
                .and_then(Value::as_array)
                .ok_or("MultiPolygon without coordinates")?
            {
                out.push(polygon(Some(p))?);
            }
        }
        _ => {}
    }
    Ok(())
}

fn polygon(c: Option<&Value>) -> Result<Polygon, String> {
    let rings = c
        .and_then(Value::as_array)
        .ok_or("Polygon without coordinates")?;
    let mut out = Vec::new();
    for r in rings {
        let pts: Vec<(f64, f64)> = r
            .as_array()
            .ok_or("ring is not an array")?
            .iter()
            .map(|p| {
                let a = p
                    .as_array()
                    .filter(|a| a.len() >= 2)
                    .ok_or("bad position")?;
                match (a[0].as_f64(), a[1].as_f64()) {
                    (Some(x), Some(y)) => Ok((x, y)),
                    _ => Err("position is not numbers"),
                }
            })
            .collect::<Result<_, _>>()?;
        if pts.len() < 4 {
            return Err("a linear ring needs at least 4 positions".into());
        }
        out.push(pts);
    }
    if out.is_empty() {
        return Err("Polygon with no rings".into());
    }
    let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in &out[0] {
        bbox = (bbox.0.min(x), bbox.1.min(y), bbox.2.max(x), bbox.3.max(y));
    }
    Ok(Polygon { rings: out, bbox })
}

/// Even-odd ray casting.
fn inside(ring: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut c = false;
    let n = ring.len();
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if ((yi > y) != (yj > y)) && (x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
            c = !c;
        }
        j = i;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    const PENTAGON: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Pentagon"},
      "geometry":{"type":"Polygon","coordinates":[[[-77.0600,38.8680],[-77.0500,38.8680],[-77.0500,38.8750],[-77.0600,38.8750],[-77.0600,38.8680]],
      [[-77.0560,38.8705],[-77.0540,38.8705],[-77.0540,38.8725],[-77.0560,38.8725],[-77.0560,38.8705]]]}}]}"#;

    #[test]
    fn point_in_polygon_with_hole() {
        let g = Geofence::from_geojson(PENTAGON).unwrap();
        assert_eq!(g.len(), 1);
        assert!(g.contains(38.8690, -77.0580));
        assert!(!g.contains(38.8715, -77.0550)); // in the hole
        assert!(!g.contains(40.7128, -74.0060));
    }

    #[test]
    fn errors_are_clear() {
        assert!(
            Geofence::from_geojson("nope")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(Geofence::from_geojson(r#"{"type":"Point","coordinates":[1,2]}"#).is_err());
    }
}
