//! What the existing controller creates for the hotel example (`examples/hotel`): the routes
//! `rates` (`/parking` → parking, `/review` → review) and `inventory` (everything → two versions,
//! 50/50), each one service on the `my-hotel` network with one HTTP listener on port 80.

use std::collections::BTreeMap;

use aws_sdk_vpclattice::types::ListenerProtocol;

use crate::seed::{Anchor, Created, Error, RouteRef, RuleSeed};

/// The service network of the hotel's Gateway.
pub const HOTEL_NETWORK: &str = "my-hotel";

/// What [`seed_hotel`] created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HotelSeed {
    /// Services by name.
    pub services: BTreeMap<String, Created>,
    /// Target groups by the name of the Service they serve.
    pub target_groups: BTreeMap<String, Created>,
    /// Rules by service name, in priority order.
    pub rules: BTreeMap<String, Vec<Created>>,
}

/// Pod IPs of each hotel Service (as in its EndpointSlice); every pod listens on 8090.
const PODS: [(&str, [&str; 2]); 4] = [
    ("parking", ["10.0.1.11", "10.0.2.11"]),
    ("review", ["10.0.1.12", "10.0.2.12"]),
    ("inventory-ver1", ["10.0.1.13", "10.0.2.13"]),
    ("inventory-ver2", ["10.0.1.14", "10.0.2.14"]),
];

/// Creates the hotel's Lattice resources as the existing controller does; the service network
/// `network` (an id) must exist.
pub async fn seed_hotel(anchor: &mut Anchor, network: &str) -> Result<HotelSeed, Error> {
    let mut seed = HotelSeed { services: BTreeMap::new(), target_groups: BTreeMap::new(), rules: BTreeMap::new() };
    let routes: [(&str, &[&str]); 2] =
        [("rates", &["parking", "review"]), ("inventory", &["inventory-ver1", "inventory-ver2"])];
    for (route, backends) in routes {
        let route = RouteRef { kind: "HTTPRoute", namespace: "default", name: route };
        for backend in backends {
            let pods = PODS.iter().find(|(name, _)| name == backend).map(|(_, ips)| ips).into_iter().flatten();
            let targets: Vec<(&str, i32)> = pods.map(|ip| (*ip, 8090)).collect();
            let tg = anchor.route_target_group(route, "default", backend, &targets).await?;
            seed.target_groups.insert((*backend).to_owned(), tg);
        }
        let service = anchor.service(route, &[network]).await?;
        let listener = anchor.listener(route, &service.id, 80, ListenerProtocol::Http).await?;
        let id = |name: &str| seed.target_groups.get(name).map(|tg| tg.id.clone()).unwrap_or_default();
        let rules = if route.name == "rates" {
            vec![
                RuleSeed { priority: 1, prefix: "/parking".into(), forward: vec![(id("parking"), 1)] },
                RuleSeed { priority: 2, prefix: "/review".into(), forward: vec![(id("review"), 1)] },
            ]
        } else {
            vec![RuleSeed {
                priority: 1,
                prefix: "/".into(),
                forward: vec![(id("inventory-ver1"), 50), (id("inventory-ver2"), 50)],
            }]
        };
        let rules = anchor.rules(&service.id, &listener.id, &rules).await?;
        seed.rules.insert(service.name.clone(), rules);
        seed.services.insert(service.name.clone(), service);
    }
    Ok(seed)
}

/// What [`seed_review_export`] created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSeed {
    /// The ServiceExport's target group.
    pub target_group: Created,
    /// The service of the route that imports it.
    pub service: Created,
}

/// The review Service exported to other clusters (ServiceExport `default/review` with
/// `exportedPorts: [{port: 80, routeType: HTTP}]`), and HTTPRoute `default/reviews` sending
/// everything to ServiceImport `default/review`, as the existing controller creates them.
pub async fn seed_review_export(anchor: &mut Anchor, network: &str) -> Result<ExportSeed, Error> {
    let pods = PODS.iter().find(|(name, _)| *name == "review").map(|(_, ips)| ips).into_iter().flatten();
    let targets: Vec<(&str, i32)> = pods.map(|ip| (*ip, 8090)).collect();
    let target_group = anchor.export_target_group("default", "review", 80, "HTTP", &targets).await?;
    let route = RouteRef { kind: "HTTPRoute", namespace: "default", name: "reviews" };
    let service = anchor.service(route, &[network]).await?;
    let listener = anchor.listener(route, &service.id, 80, ListenerProtocol::Http).await?;
    let rule = RuleSeed { priority: 1, prefix: "/".into(), forward: vec![(target_group.id.clone(), 1)] };
    anchor.rules(&service.id, &listener.id, &[rule]).await?;
    Ok(ExportSeed { target_group, service })
}
