import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { setSignedOutHandler, type Role } from './api/client';
import { homeOf, session, signedIn } from './session';
import Layout from './components/Layout.vue';

const roles = (...r: Role[]) => ({ roles: r });

const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('./pages/Login.vue'), meta: { public: true, title: '登录' } },
  { path: '/register', component: () => import('./pages/Register.vue'), meta: { public: true, title: '注册' } },
  {
    path: '/',
    component: Layout,
    children: [
      { path: '', redirect: () => homeOf(session.role) },
      {
        path: 'applicant/applications',
        component: () => import('./pages/applicant/MyApplications.vue'),
        meta: { ...roles('applicant'), title: '我的申报' },
      },
      {
        path: 'applicant/applications/new',
        component: () => import('./pages/applicant/ApplicationForm.vue'),
        meta: { ...roles('applicant'), title: '新建申报' },
      },
      {
        path: 'applicant/applications/:id/edit',
        component: () => import('./pages/applicant/ApplicationForm.vue'),
        meta: { ...roles('applicant'), title: '填写申报' },
      },
      {
        path: 'applicant/applications/:id',
        component: () => import('./pages/applicant/ApplicationDetail.vue'),
        meta: { ...roles('applicant'), title: '申报进度' },
      },
      {
        path: 'unit/applications',
        component: () => import('./pages/unit/WorkList.vue'),
        meta: { ...roles('unit'), title: '单位审核' },
      },
      {
        path: 'unit/applications/:id',
        component: () => import('./pages/unit/UnitDetail.vue'),
        meta: { ...roles('unit'), title: '申报详情' },
      },
      {
        path: 'unit/self-review',
        component: () => import('./pages/unit/SelfReview.vue'),
        meta: { ...roles('unit', 'committee_org'), title: '自主评审' },
      },
      {
        path: 'chain/applications',
        component: () => import('./pages/chain/ChainList.vue'),
        meta: { ...roles('dept', 'committee_org', 'province'), title: '审核工作台' },
      },
      {
        path: 'chain/applications/:id',
        component: () => import('./pages/chain/ChainDetail.vue'),
        meta: { ...roles('dept', 'committee_org', 'province'), title: '审核详情' },
      },
      {
        path: 'province/dashboard',
        component: () => import('./pages/province/Dashboard.vue'),
        meta: { ...roles('province'), title: '统计看板' },
      },
      {
        path: 'province/blacklist',
        component: () => import('./pages/province/Blacklist.vue'),
        meta: { ...roles('province'), title: '诚信档案（黑名单）' },
      },
      {
        path: 'province/inspections',
        component: () => import('./pages/inspections/Inspections.vue'),
        meta: { ...roles('province'), title: '职称巡查' },
      },
      {
        path: 'province/inspections/:id',
        component: () => import('./pages/inspections/InspectionDetail.vue'),
        meta: { ...roles('province'), title: '巡查详情' },
      },
      {
        path: 'province/credit',
        component: () => import('./pages/province/CreditOutbox.vue'),
        meta: { ...roles('province'), title: '信用信息报送' },
      },
      {
        path: 'inspections/items',
        component: () => import('./pages/inspections/MyItems.vue'),
        meta: { ...roles('committee_org', 'unit'), title: '巡查整改' },
      },
      {
        path: 'committee/plans',
        component: () => import('./pages/committee/Plans.vue'),
        meta: { ...roles('committee_org'), title: '评审方案' },
      },
      {
        path: 'committee/plans/new',
        component: () => import('./pages/committee/PlanForm.vue'),
        meta: { ...roles('committee_org'), title: '新建评审方案' },
      },
      {
        path: 'committee/plans/:id',
        component: () => import('./pages/committee/PlanDetail.vue'),
        meta: { ...roles('committee_org'), title: '评审方案' },
      },
      {
        path: 'committee/results',
        component: () => import('./pages/committee/Results.vue'),
        meta: { ...roles('committee_org'), title: '结果公示与备案' },
      },
      {
        path: 'committee/experts',
        component: () => import('./pages/committee/Experts.vue'),
        meta: { ...roles('committee_org', 'province'), title: '评审专家库' },
      },
      {
        path: 'province/plans',
        component: () => import('./pages/committee/Plans.vue'),
        meta: { ...roles('province'), title: '评审方案审核' },
      },
      {
        path: 'province/filings',
        component: () => import('./pages/province/Filings.vue'),
        meta: { ...roles('province'), title: '备案审核' },
      },
      {
        path: 'province/certificates',
        component: () => import('./pages/province/Certificates.vue'),
        meta: { ...roles('province'), title: '证书发放' },
      },
      {
        path: 'province/admin',
        component: () => import('./pages/province/Admin.vue'),
        meta: { ...roles('province'), title: '基础配置' },
      },
      {
        path: 'province/registrations',
        component: () => import('./pages/province/Registrations.vue'),
        meta: { ...roles('province', 'dept'), title: '单位注册审核' },
      },
      {
        path: 'province/jobs',
        component: () => import('./pages/province/Jobs.vue'),
        meta: { ...roles('province'), title: '定时任务' },
      },
      { path: 'judge', component: () => import('./pages/judge/JudgeHome.vue'), meta: { ...roles('judge'), title: '评审任务' } },
      { path: ':rest(.*)*', component: () => import('./pages/NotFound.vue'), meta: { title: '页面不存在' } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach((to) => {
  if (to.meta.public) return true;
  if (!signedIn()) return { path: '/login', query: { next: to.fullPath } };
  const allowed = to.meta.roles as Role[] | undefined;
  if (allowed && session.role && !allowed.includes(session.role)) return homeOf(session.role);
  return true;
});

router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? ''} - 职称评审网上申报系统`;
});

setSignedOutHandler(() => {
  const next = router.currentRoute.value.fullPath;
  void router.push({ path: '/login', query: { next } });
});
