//! Who manages a service account when the user does not: the control plane (an account the
//! bootstrap policy binds, such as `kube-system/generic-garbage-collector`) or a managed cluster's
//! pre-installed add-ons. Such accounts are inventoried with `managed_by` and kept out of the
//! hygiene rules (owner, unused); what they hold beyond the platform's defaults is still judged.

use super::bootstrap;

/// Add-on accounts in `kube-system` that a managed cluster installs itself, with who manages
/// them. Only accounts the provider documents as installed by default are listed: EKS installs
/// `aws-node` (Amazon VPC CNI), `kube-proxy` and `coredns` on every cluster (Amazon EKS user
/// guide, "Amazon EKS add-ons"; eksctl "Default add-on updates"). `kube-proxy` and `coredns` are
/// also what kubeadm installs, hence the neutral name for them.
const ADDON_ACCOUNTS: [(&str, &str); 3] = [
    ("aws-node", "eks"),
    ("kube-proxy", "cluster-addon"),
    ("coredns", "cluster-addon"),
];

/// `kubernetes` for a control-plane account of the bootstrap policy, the add-on's manager for a
/// documented add-on account, `None` for the user's own.
pub fn managed_by(namespace: &str, name: &str) -> Option<&'static str> {
    if bootstrap::policy().binds_account(namespace, name) {
        return Some("kubernetes");
    }
    if namespace != "kube-system" {
        return None;
    }
    ADDON_ACCOUNTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, by)| *by)
}
