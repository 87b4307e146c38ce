"""The seed documents' examples (docs/service/sources.md#seeds), kept once for every test
that reads them: the seed guide's response examples as printed there minus its
``"metadata": {...}``, the API reference's list-tunnels item, and the guide's IKE and IPSec
settings as the SDK's models (every test that needs a valid tunnel configuration takes
them)."""

from bce_vpn_async import IkeConfig, IpsecConfig

# --- seed guide: the IKE and IPSec settings of its "List IPSECs" example ------------------------
IKE = IkeConfig("v1", "main", "aes", "group2", ike_auth_alg="sha1", ike_lifetime=28800)
IPSEC = IpsecConfig("aes", "sha1", ipsec_pfs="group2", ipsec_lifetime=28800)
# The same, as a client sends them.
IKE_WIRE = {
    "ikeVersion": "v1",
    "ikeMode": "main",
    "ikeEncAlg": "aes",
    "ikeAuthAlg": "sha1",
    "ikePfs": "group2",
    "ikeLifeTime": 28800,
}
IPSEC_WIRE = {
    "ipsecEncAlg": "aes",
    "ipsecAuthAlg": "sha1",
    "ipsecPfs": "group2",
    "ipsecLifetime": 28800,
}

# --- seed guide: "List VPN gateways" -------------------------------------------------------------
GUIDE_LIST_VPNS = """{
 "nextMarker": "vpn-xktdeMSf",
 "marker": "vpn-IyWRtII7",
 "maxKeys": 1,
 "isTruncated": true,
 "vpns": [
 {
 "status": "active",
 "eip": "10.12.34.32",
 "vpnId": "vpn-IyWRtII7",
 "vpcId": "83edd0d2-8a68-4ce5-a396-9d2917d58a57",
 "description": "",
 "expiredTime": null,
 "productType": "postpay",
 "vpnConnNum": 0,
 "bandwidthInMbps": 10,
 "vpnConns": [],
 "sslVpnServer": null,
 "type": "IPSec",
 "maxConnection": null,
 "vpnName": "VPN_aoko_2",
 "createTime": "2021-04-25 17:22:34"
 }
 ]
}"""


# --- seed guide: "Query VPN details" -------------------------------------------------------------
GUIDE_GET_VPN = """{
 "status": "active",
 "eip": "",
 "vpnId": "vpn-shkgan7et1vx",
 "vpcId": "83edd0d2-8a68-4ce5-a396-9d2917d58a57",
 "description": "",
 "expiredTime": null,
 "paymentTiming": "Postpaid",
 "vpnConnNum": 0,
 "bandwidthInMbps": 0,
 "vpnConns": [],
 "ssl_vpn_server": null,
 "vpnName": "VPN_aoko_2",
 "createTime": "2021-04-25 17:22:34",
 "deleteProtect": true,
 "tags": [
 {"tagKey": "hikwnf", "tagValue": "nwklwmflk"},
 {"tagKey": "whfooef", "tagValue": "haiwnwejf"}
 ]
}"""


# --- seed guide: "List IPSECs". The guide's text is invalid JSON: a comma is missing after
# "reachable". That one comma is added here; nothing else is changed.
GUIDE_LIST_TUNNELS = """{
 "vpnConns": [
 {
 "vpn_id": "vpn-a0314a79a558",
 "vpn_conn_id": "vpnconn-771763a0da2f",
 "secretKey": "ddd22@www",
 "local_ip": null,
 "localSubnets": ["192.168.100.0/24"],
 "remoteIp": "10.107.245.188",
 "remoteSubnets": ["192.168.100.0/24"],
 "description": "111",
 "status": "active",
 "created_time": "2024-12-26T18:58:53+08:00",
 "health_status": "reachable",
 "vpnConnName": "vpncon",
 "ikeConfig":
 {
 "ikeVersion": "v1",
 "ikeMode": "main",
 "ikeEncAlg": "aes",
 "ikeAuthAlg": "sha1",
 "ikePfs": "group2",
 "ikeLifeTime": "28800s"
 },
 "ipsecConfig":
 {
 "ipsecEncAlg": "aes",
 "ipsecAuthAlg": "sha1",
 "ipsecPfs": "group2",
 "ipsecLifetime": "28800s"
 }
 }
 ]
}"""


# --- seed guide: "List SSLVPN service" -----------------------------------------------------------
GUIDE_GET_SSL_SERVER = """{
 "vpnId": "vpn-shyt1vzgqc3z",
 "sslVpnServerId": "sslvpn-5b2hq4nm40tt",
 "sslVpnServerName": "hzb_1_1",
 "interfaceType": "tap",
 "status": "active",
 "localSubnets": ["192.168.0.0/24"],
 "remoteSubnet": "172.168.0.0/16",
 "maxConnection": 10,
 "clientDns":""
 }"""


# --- seed guide: "List SSL-VPN users" ------------------------------------------------------------
GUIDE_LIST_SSL_USERS = """{
 "marker": "vpn-ssl-user-xynkefqf3n5x",
 "maxKeys": 1,
 "isTruncated": false,
 "sslVpnUsers": [
 {
 "userId": "vpn-ssl-user-xynkefqf3n5x",
 "userName": "user",
 "description": "desc"
 }
 ]
}"""


# --- the API reference, "Query VPN tunnels" (docs/service/sources.md#query-vpn-tunnels): a
# list item. Its ikeConfig and ipsecConfig are elided there ("{...}"); they are filled in with
# the seed guide's values so that the item parses.
REFERENCE_TUNNEL_ITEM = """{"vpnId":"vpn-119bd69b","vpnConnId":"vpnconn-ku4cxya6nisq",
"localIp":"192.168.100.1","createdTime":"2021-04-25 17:22:34","status":"active",
"healthStatus":"reachable","secretKey":"ddd22@www","localSubnets":["192.168.100.0/24"],
"remoteIp":"10.107.245.188","remoteSubnets":["192.168.100.0/24"],"description":"111",
"vpnConnName":"vpnConn","cgwId":"cgw-76e47745e608",
"ikeConfig":{"ikeVersion":"v1","ikeMode":"main","ikeEncAlg":"aes","ikeAuthAlg":"sha1",
"ikePfs":"group2","ikeLifeTime":"28800s"},
"ipsecConfig":{"ipsecEncAlg":"aes","ipsecAuthAlg":"sha1","ipsecPfs":"group2",
"ipsecLifetime":"28800s"}}"""
